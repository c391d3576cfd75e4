import { Link } from 'react-router';
import { useDocumentTitle } from '../components/use-document-title.js';

export function NotFoundPage() {
  useDocumentTitle('Page not found');
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        There is nothing at this address. <Link to="/orders">Back to orders</Link>
      </p>
    </section>
  );
}
