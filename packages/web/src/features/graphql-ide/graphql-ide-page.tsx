// Monaco needs its web workers (editor, JSON, GraphQL) registered before the first editor is
// made; this entry imports them with Vite's `?worker`, so they are bundled, not fetched.
import 'graphiql/setup-workers/vite';
// GraphiQL's stylesheet carries Monaco's and its fonts inline (data URLs): nothing from a CDN.
// Imported here only, so it is split out with this lazily loaded page.
import 'graphiql/style.css';
import './graphql-ide-page.css';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { type RefObject, useLayoutEffect, useRef } from 'react';
import { useDocumentTitle } from '../../components/use-document-title.js';
import { env } from '../../config/env.js';
import { authorizationOf, readAccessToken } from '../../lib/auth/access-token.js';

// Queries and mutations over HTTP, subscriptions over graphql-ws, both on orders-api's /graphql.
// The user's access token, if any, goes with both, as it does for the rest of the app.
const authorization = authorizationOf(readAccessToken());
const fetcher = createGraphiQLFetcher({
  url: env.graphqlHttpUrl,
  subscriptionUrl: env.graphqlWsUrl,
  ...(authorization === null
    ? {}
    : { headers: { authorization }, wsConnectionParams: { authorization } }),
});

// One operation, so "Execute query" runs it at once; the others are there to uncomment.
const DEFAULT_QUERY = `# Orders API. Run: ▶ or Ctrl+Enter.
# Schema: docs (book icon, left).

query RecentOrders {
  orders(first: 10) {
    edges {
      node {
        id
        status
        total
        currency
        createdAt
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}

# mutation PlaceOrder {
#   createOrder(input: {
#     items: [{
#       sku: "MUG-1", name: "Mug",
#       quantity: 2, unitPrice: 1250
#     }]
#     paymentToken: "tok_approve"
#   }) { id status total }
# }

# subscription OrderUpdates {
#   orderUpdated {
#     id status updatedAt cancellationReason
#   }
# }
`;

/**
 * Keeps the IDE exactly as tall as the space under the layout's top bar, whatever that bar's
 * height: GraphiQL's panes scroll inside it, the page itself does not.
 */
function useFillViewportBelow(element: RefObject<HTMLElement | null>): void {
  useLayoutEffect(() => {
    const node = element.current;
    if (node === null) return;
    const fit = () => {
      const top = node.getBoundingClientRect().top + window.scrollY;
      const parent = node.parentElement;
      const below = parent === null ? 0 : parseFloat(getComputedStyle(parent).paddingBottom) || 0;
      node.style.setProperty('--graphql-ide-offset', `${Math.ceil(top + below)}px`);
    };
    fit();
    window.addEventListener('resize', fit);
    // The top bar can change height without a resize (a longer connection message wraps).
    const observer = new ResizeObserver(fit);
    observer.observe(document.body);
    return () => {
      window.removeEventListener('resize', fit);
      observer.disconnect();
    };
  }, [element]);
}

/** GraphiQL against orders-api, fully bundled so it works with no internet access. */
export default function GraphqlIdePage() {
  useDocumentTitle('GraphQL IDE');
  const container = useRef<HTMLElement>(null);
  useFillViewportBelow(container);
  return (
    <section ref={container} className="graphql-ide" aria-labelledby="graphql-ide-title">
      {/* GraphiQL has no heading of its own; this one names the page for screen readers. */}
      <h1 id="graphql-ide-title" className="visually-hidden">
        GraphQL IDE
      </h1>
      <GraphiQL
        fetcher={fetcher}
        defaultQuery={DEFAULT_QUERY}
        defaultEditorToolsVisibility={false}
      />
    </section>
  );
}
