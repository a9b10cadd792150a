// Schema objects earlier graphkit versions created and later ones replace. Dropping them
// first lets the replacements in the next files be created on a store loaded by an older
// version; on any other store these statements do nothing.
//
// Range indexes on relationship `key`, replaced by the `*_key_unique` constraints of
// 001_constraints.cypher (a constraint cannot be added over an equal index).
DROP INDEX partners_with_key IF EXISTS;
DROP INDEX deploys_on_key IF EXISTS;
DROP INDEX incubates_key IF EXISTS;
DROP INDEX subsidiary_of_key IF EXISTS;
DROP INDEX operates_key IF EXISTS;
DROP INDEX product_of_key IF EXISTS;
DROP INDEX invests_in_key IF EXISTS;
DROP INDEX supplies_key IF EXISTS;
DROP INDEX joint_venture_of_key IF EXISTS;
