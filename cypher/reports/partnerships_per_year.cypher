// title: New partnerships per year
// description: How many partnerships (company pairs, each counted once) were first seen in each
//   year, from the edge's first_seen date, with the pairs. Partnerships whose articles state no
//   date are left out unless `include_undated` is true (then they form the row `undated`).
//   `from_year`/`to_year` bound the years shown.
// param: from_year int = null
// param: to_year int = null
// param: include_undated bool = false
MATCH (a:Entity)-[r:PARTNERS_WITH]->(b:Entity)
WHERE a.id STARTS WITH $id_prefix
WITH a, b, r, CASE WHEN r.first_seen IS NULL OR r.first_seen = '' THEN null
                   ELSE toInteger(substring(r.first_seen, 0, 4)) END AS year
WHERE (year IS NULL AND $include_undated)
   OR (year IS NOT NULL AND ($from_year IS NULL OR year >= $from_year) AND ($to_year IS NULL OR year <= $to_year))
WITH year, a.name + ' – ' + b.name AS pair
ORDER BY pair
WITH year, count(*) AS new_partnerships, collect(pair) AS pairs
RETURN coalesce(toString(year), 'undated') AS year, new_partnerships, pairs
ORDER BY year
