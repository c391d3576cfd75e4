import { ApolloProvider } from '@apollo/client/react';
import { lazy, Suspense } from 'react';
import { BrowserRouter, Route, Routes } from 'react-router';
import { Loading } from '../components/loading.js';
import { OrderDetailsPage } from '../features/order-details/order-details-page.js';
import { DashboardPage } from '../features/dashboard/dashboard-page.js';
import { CreateOrderPage } from '../features/create-order/create-order-page.js';
import { OrdersListPage } from '../features/orders-list/orders-list-page.js';
import { WebhooksPage } from '../features/webhooks/webhooks-page.js';
import { AppServicesContext, type AppServices } from '../lib/app-services.js';
import { Layout } from './layout.js';
import { NotFoundPage } from './not-found-page.js';

// The IDE is large (editor, schema tooling); it loads only when someone opens it.
const GraphqlIdePage = lazy(() => import('../features/graphql-ide/graphql-ide-page.js'));

export function App({ services }: { services: AppServices }) {
  return (
    <AppServicesContext value={services}>
      <ApolloProvider client={services.apollo}>
        <BrowserRouter>
          <Routes>
            <Route element={<Layout />}>
              <Route index element={<DashboardPage />} />
              <Route path="orders" element={<OrdersListPage />} />
              <Route path="orders/new" element={<CreateOrderPage />} />
              <Route path="orders/:id" element={<OrderDetailsPage />} />
              <Route path="webhooks" element={<WebhooksPage />} />
              <Route
                path="graphiql"
                element={
                  <Suspense fallback={<Loading label="Loading the GraphQL IDE" />}>
                    <GraphqlIdePage />
                  </Suspense>
                }
              />
              <Route path="*" element={<NotFoundPage />} />
            </Route>
          </Routes>
        </BrowserRouter>
      </ApolloProvider>
    </AppServicesContext>
  );
}
