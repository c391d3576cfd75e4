import { graphql } from '../../lib/graphql/generated/gql.js';

export const ORDER_STATS_QUERY = graphql(`
  query OrderStats {
    orderStats {
      byStatus {
        status
        count
      }
      revenue {
        currency
        amount
      }
      createdPerMinute {
        minute
        count
      }
    }
  }
`);
