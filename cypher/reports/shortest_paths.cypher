// title: Shortest paths between two companies
// description: All shortest chains of typed relationships linking company `a` to company `b`
//   (names in any language or alias, case-insensitive), at most `max_hops` long (up to 6).
//   `types` restricts the relationship types walked (comma-separated, e.g.
//   PARTNERS_WITH,SUBSIDIARY_OF); arrows show each edge's stored direction, PARTNERS_WITH has none.
// param: a str
// param: b str
// param: max_hops int = 4
// param: types list = null
// param: limit int = 10
MATCH (x:Entity), (y:Entity)
WHERE x.id STARTS WITH $id_prefix AND y.id STARTS WITH $id_prefix
  AND any(v IN [x.name, x.name_en, x.name_zh, x.name_de, x.name_ru] + coalesce(x.aliases, [])
          WHERE toLower(v) = toLower(trim($a)))
  AND any(v IN [y.name, y.name_en, y.name_zh, y.name_de, y.name_ru] + coalesce(y.aliases, [])
          WHERE toLower(v) = toLower(trim($b)))
  AND x <> y
MATCH p = allShortestPaths((x)-[:PARTNERS_WITH|DEPLOYS_ON|INCUBATES|SUBSIDIARY_OF|OPERATES|PRODUCT_OF|INVESTS_IN|SUPPLIES|JOINT_VENTURE_OF*..6]-(y))
WHERE $types IS NULL OR all(r IN relationships(p) WHERE type(r) IN [t IN $types | toUpper(t)])
WITH p, nodes(p) AS ns, relationships(p) AS rs
WHERE length(p) <= $max_hops
WITH p, ns, rs,
     reduce(s = ns[0].name, i IN range(0, size(rs) - 1) |
       s + CASE WHEN type(rs[i]) = 'PARTNERS_WITH' THEN ' -[PARTNERS_WITH]- '
                WHEN startNode(rs[i]) = ns[i] THEN ' -[' + type(rs[i]) + ']-> '
                ELSE ' <-[' + type(rs[i]) + ']- ' END + ns[i + 1].name) AS path
RETURN DISTINCT length(p) AS hops, path, [n IN ns | n.name] AS names,
       [r IN rs | coalesce(r.evidence[0], '')] AS evidence
ORDER BY hops, path
LIMIT $limit
