// @ts-check
// The GraphQL queries the benchmark measures (variable `m`: the mesh's name).

export const QUERIES = {
  /** The whole mesh as a graph: every resource and edge, with proxy counts. */
  topology: `query($m: String!) { mesh(name: $m) { topology {
  nodes { id kind name arn proxies }
  edges { from to kind weight }
} } }`,
  /** A page of 100 virtual nodes with their specs: what a console's table shows. */
  page: `query($m: String!) { mesh(name: $m) { virtualNodes(first: 100) {
  nodes { name arn version createdAt lastUpdatedAt status specJson }
  pageInfo { hasNextPage endCursor }
} } }`,
};
