// Range indexes on names (exact and prefix lookups in reports and the Browser).
CREATE INDEX entity_name IF NOT EXISTS FOR (n:Entity) ON (n.name);
CREATE INDEX organization_name IF NOT EXISTS FOR (n:Organization) ON (n.name);
CREATE INDEX product_name IF NOT EXISTS FOR (n:Product) ON (n.name);
CREATE INDEX program_name IF NOT EXISTS FOR (n:Program) ON (n.name);
CREATE INDEX organization_kind IF NOT EXISTS FOR (n:Organization) ON (n.kind);
CREATE INDEX article_published IF NOT EXISTS FOR (n:Article) ON (n.published);
// Edge lookup by `key` ("TYPE|head|tail"): the loader finds an article's stale items
// and `graphkit retract` finds its edges through these, one index per relation type.
CREATE INDEX partners_with_key IF NOT EXISTS FOR ()-[r:PARTNERS_WITH]-() ON (r.key);
CREATE INDEX deploys_on_key IF NOT EXISTS FOR ()-[r:DEPLOYS_ON]-() ON (r.key);
CREATE INDEX incubates_key IF NOT EXISTS FOR ()-[r:INCUBATES]-() ON (r.key);
CREATE INDEX subsidiary_of_key IF NOT EXISTS FOR ()-[r:SUBSIDIARY_OF]-() ON (r.key);
CREATE INDEX operates_key IF NOT EXISTS FOR ()-[r:OPERATES]-() ON (r.key);
CREATE INDEX product_of_key IF NOT EXISTS FOR ()-[r:PRODUCT_OF]-() ON (r.key);
CREATE INDEX invests_in_key IF NOT EXISTS FOR ()-[r:INVESTS_IN]-() ON (r.key);
CREATE INDEX supplies_key IF NOT EXISTS FOR ()-[r:SUPPLIES]-() ON (r.key);
CREATE INDEX joint_venture_of_key IF NOT EXISTS FOR ()-[r:JOINT_VENTURE_OF]-() ON (r.key);
