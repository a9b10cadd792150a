// Uniqueness of `id` for every label of docs/neo4j-model.md. MERGE on (:Entity {id})
// and (:Article {id}) runs under these constraints (and uses their backing indexes).
CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT organization_id IF NOT EXISTS FOR (n:Organization) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT product_id IF NOT EXISTS FOR (n:Product) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT program_id IF NOT EXISTS FOR (n:Program) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT article_id IF NOT EXISTS FOR (n:Article) REQUIRE n.id IS UNIQUE;

// One edge per `key` ("TYPE|head|tail", PARTNERS_WITH with head < tail): the loader CREATEs
// edges it has checked are new, and these make a duplicate impossible even then (a racing
// second loader fails instead of doubling an edge). Their indexes serve the key lookups of
// stale items and `graphkit retract`.
CREATE CONSTRAINT partners_with_key_unique IF NOT EXISTS FOR ()-[r:PARTNERS_WITH]-() REQUIRE r.key IS UNIQUE;
CREATE CONSTRAINT deploys_on_key_unique IF NOT EXISTS FOR ()-[r:DEPLOYS_ON]-() REQUIRE r.key IS UNIQUE;
CREATE CONSTRAINT incubates_key_unique IF NOT EXISTS FOR ()-[r:INCUBATES]-() REQUIRE r.key IS UNIQUE;
CREATE CONSTRAINT subsidiary_of_key_unique IF NOT EXISTS FOR ()-[r:SUBSIDIARY_OF]-() REQUIRE r.key IS UNIQUE;
CREATE CONSTRAINT operates_key_unique IF NOT EXISTS FOR ()-[r:OPERATES]-() REQUIRE r.key IS UNIQUE;
CREATE CONSTRAINT product_of_key_unique IF NOT EXISTS FOR ()-[r:PRODUCT_OF]-() REQUIRE r.key IS UNIQUE;
CREATE CONSTRAINT invests_in_key_unique IF NOT EXISTS FOR ()-[r:INVESTS_IN]-() REQUIRE r.key IS UNIQUE;
CREATE CONSTRAINT supplies_key_unique IF NOT EXISTS FOR ()-[r:SUPPLIES]-() REQUIRE r.key IS UNIQUE;
CREATE CONSTRAINT joint_venture_of_key_unique IF NOT EXISTS FOR ()-[r:JOINT_VENTURE_OF]-() REQUIRE r.key IS UNIQUE;
