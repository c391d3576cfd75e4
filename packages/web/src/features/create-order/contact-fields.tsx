import {
  ADDRESS_FIELDS,
  ADDRESS_GROUP,
  countryOptions,
  CUSTOMER_FIELDS,
  CUSTOMER_GROUP,
  type AddressDraft,
  type AddressField,
  type ContactFieldSpec,
  type CustomerDraft,
  type CustomerField,
  type FieldErrors,
} from './order-form.js';

/** What the browser may fill in for each box (the HTML autocomplete tokens). */
const AUTOCOMPLETE: Record<CustomerField | AddressField, string> = {
  name: 'name',
  email: 'email',
  line1: 'address-line1',
  line2: 'address-line2',
  city: 'address-level2',
  postalCode: 'postal-code',
  region: 'address-level1',
  country: 'country',
};

// Computed once: ~250 names from the browser's Intl data.
const COUNTRIES = countryOptions();

/** The optional customer group: name and email, each with its rule beside it. */
export function CustomerFields(props: {
  idBase: string;
  draft: CustomerDraft;
  errors: FieldErrors;
  onEdit: (field: CustomerField, value: string) => void;
}) {
  return (
    <ContactGroup
      idBase={`${props.idBase}-customer`}
      legend="Customer"
      groupError={props.errors[CUSTOMER_GROUP]}
    >
      {(Object.keys(CUSTOMER_FIELDS) as CustomerField[]).map((field) => (
        <ContactField
          key={field}
          id={`${props.idBase}-customer-${field}`}
          spec={CUSTOMER_FIELDS[field]}
          error={props.errors[`${CUSTOMER_GROUP}.${field}`]}
        >
          {(controlProps) => (
            <input
              {...controlProps}
              type={field === 'email' ? 'email' : 'text'}
              autoComplete={AUTOCOMPLETE[field]}
              value={props.draft[field]}
              onChange={(e) => props.onEdit(field, e.target.value)}
            />
          )}
        </ContactField>
      ))}
    </ContactGroup>
  );
}

/** The optional shipping address group; the country is chosen by name, sent as its code. */
export function AddressFields(props: {
  idBase: string;
  draft: AddressDraft;
  errors: FieldErrors;
  onEdit: (field: AddressField, value: string) => void;
}) {
  return (
    <ContactGroup
      idBase={`${props.idBase}-address`}
      legend="Shipping address"
      groupError={props.errors[ADDRESS_GROUP]}
    >
      {(Object.keys(ADDRESS_FIELDS) as AddressField[]).map((field) => (
        <ContactField
          key={field}
          id={`${props.idBase}-address-${field}`}
          spec={ADDRESS_FIELDS[field]}
          error={props.errors[`${ADDRESS_GROUP}.${field}`]}
        >
          {(controlProps) =>
            field === 'country' ? (
              <select
                {...controlProps}
                autoComplete={AUTOCOMPLETE.country}
                value={props.draft.country}
                onChange={(e) => props.onEdit('country', e.target.value)}
              >
                <option value="">Choose a country</option>
                {COUNTRIES.map((c) => (
                  <option key={c.code} value={c.code}>
                    {c.name} ({c.code})
                  </option>
                ))}
              </select>
            ) : (
              <input
                {...controlProps}
                type="text"
                autoComplete={AUTOCOMPLETE[field]}
                value={props.draft[field]}
                onChange={(e) => props.onEdit(field, e.target.value)}
              />
            )
          }
        </ContactField>
      ))}
    </ContactGroup>
  );
}

function ContactGroup(props: {
  idBase: string;
  legend: string;
  groupError: string | undefined;
  children: React.ReactNode;
}) {
  const errorId = `${props.idBase}-error`;
  const hintId = `${props.idBase}-hint`;
  return (
    <fieldset
      className="contact-group"
      aria-describedby={props.groupError === undefined ? hintId : `${errorId} ${hintId}`}
    >
      <legend>{props.legend} (optional)</legend>
      <p id={hintId} className="hint">
        Leave every box empty to send none.
      </p>
      {props.groupError === undefined ? null : (
        <p id={errorId} className="field-error">
          {props.groupError}
        </p>
      )}
      <div className="form-row">{props.children}</div>
    </fieldset>
  );
}

interface ControlProps {
  id: string;
  'aria-invalid': boolean;
  'aria-describedby': string;
}

/** A label, a control, the shared rule in words and the error, all tied to the control. */
function ContactField(props: {
  id: string;
  spec: ContactFieldSpec;
  error: string | undefined;
  children: (controlProps: ControlProps) => React.ReactNode;
}) {
  const errorId = `${props.id}-error`;
  const hintId = `${props.id}-hint`;
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.spec.label}</label>
      {props.children({
        id: props.id,
        'aria-invalid': props.error !== undefined,
        'aria-describedby': props.error === undefined ? hintId : `${errorId} ${hintId}`,
      })}
      <span id={hintId} className="hint">
        {props.spec.hint}
      </span>
      {props.error === undefined ? null : (
        <span id={errorId} className="field-error">
          {props.error}
        </span>
      )}
    </div>
  );
}
