// One fulltext index over canonical names, per-language names and every surface form
// seen (aliases), in all scripts: 宝马, BMW, БМВ find the same node.
//   CALL db.index.fulltext.queryNodes('entity_names', 'БМВ') YIELD node, score
CREATE FULLTEXT INDEX entity_names IF NOT EXISTS
FOR (n:Organization|Product|Program)
ON EACH [n.name, n.name_zh, n.name_de, n.name_ru, n.name_en, n.aliases]
OPTIONS {indexConfig: {`fulltext.analyzer`: 'standard-no-stop-words'}};
