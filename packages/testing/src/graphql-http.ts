/** One GraphQL error as a server sends it. */
export interface GraphQLErrorBody {
  message: string;
  extensions?: {
    code?: string;
    field?: string;
    fields?: { field: string; message: string }[];
  } & Record<string, unknown>;
}

/** A GraphQL answer over HTTP, with its HTTP status. */
export interface GraphQLResponse<T> {
  status: number;
  data?: T | null;
  errors?: GraphQLErrorBody[];
}

/** Sends one GraphQL operation over HTTP to `url`. */
export async function postGraphQL<T>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T | null; errors?: GraphQLErrorBody[] };
  return { status: response.status, ...body };
}
