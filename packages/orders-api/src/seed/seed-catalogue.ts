/** What the demo history is made of: products, people and places, all invented. */

export interface Product {
  sku: string;
  name: string;
  /** Price in euro cents; other currencies are converted (see CURRENCY_RATES). */
  priceEur: number;
}

const COLOURS = ['Blue', 'Red', 'Green', 'Black', 'White', 'Yellow'] as const;
const BASES = [
  { code: 'MUG', name: 'ceramic mug', price: 1290 },
  { code: 'TEE', name: 'cotton T-shirt', price: 2400 },
  { code: 'CAP', name: 'baseball cap', price: 1900 },
  { code: 'BTL', name: 'steel water bottle', price: 2790 },
  { code: 'NBK', name: 'dotted notebook', price: 1150 },
  { code: 'TOT', name: 'canvas tote bag', price: 1590 },
  { code: 'SCK', name: 'wool socks', price: 990 },
  { code: 'UMB', name: 'compact umbrella', price: 3290 },
  { code: 'LMP', name: 'desk lamp', price: 5490 },
  { code: 'PLW', name: 'linen pillow cover', price: 2990 },
] as const;

/** Sixty products: ten kinds in six colours ("Blue ceramic mug", MUG-BLUE). */
export const PRODUCTS: readonly Product[] = BASES.flatMap((base, b) =>
  COLOURS.map((colour, c) => ({
    sku: `${base.code}-${colour.toUpperCase()}-${String(100 + b * 6 + c)}`,
    name: `${colour} ${base.name}`,
    priceEur: base.price + c * 50,
  })),
);

/** Minor units per euro cent, by currency (JPY has no minor unit). */
export const CURRENCY_RATES: Readonly<Record<string, number>> = {
  EUR: 1,
  USD: 1.08,
  GBP: 0.86,
  SEK: 11.5,
  CAD: 1.47,
  JPY: 1.62,
};

export interface Place {
  country: string;
  currency: string;
  cities: readonly { city: string; region: string | null; postal: () => string }[];
  streets: readonly string[];
}

const digits = (n: number, rnd: () => number) =>
  Array.from({ length: n }, () => Math.floor(rnd() * 10)).join('');

/** Countries orders ship to, with a few cities each and their postal code shapes. */
export function places(rnd: () => number): readonly Place[] {
  const d = (n: number) => () => digits(n, rnd);
  return [
    {
      country: 'DE',
      currency: 'EUR',
      cities: [
        { city: 'Berlin', region: null, postal: () => `1${digits(4, rnd)}` },
        { city: 'Hamburg', region: null, postal: () => `2${digits(4, rnd)}` },
        { city: 'München', region: 'Bayern', postal: () => `8${digits(4, rnd)}` },
      ],
      streets: ['Hauptstraße', 'Gartenweg', 'Schillerstraße', 'Lindenallee'],
    },
    {
      country: 'FR',
      currency: 'EUR',
      cities: [
        { city: 'Paris', region: null, postal: () => `750${digits(2, rnd)}` },
        { city: 'Lyon', region: null, postal: () => `690${digits(2, rnd)}` },
      ],
      streets: ['Rue de la Paix', 'Avenue Victor Hugo', 'Rue du Moulin'],
    },
    {
      country: 'NL',
      currency: 'EUR',
      cities: [
        { city: 'Amsterdam', region: null, postal: () => `10${digits(2, rnd)} AB` },
        { city: 'Utrecht', region: null, postal: () => `35${digits(2, rnd)} CD` },
      ],
      streets: ['Keizersgracht', 'Oudegracht', 'Dorpsstraat'],
    },
    {
      country: 'US',
      currency: 'USD',
      cities: [
        { city: 'Portland', region: 'OR', postal: () => `972${digits(2, rnd)}` },
        { city: 'Austin', region: 'TX', postal: () => `787${digits(2, rnd)}` },
        { city: 'Brooklyn', region: 'NY', postal: () => `112${digits(2, rnd)}` },
      ],
      streets: ['Main Street', 'Oak Avenue', 'Maple Drive', 'Elm Street'],
    },
    {
      country: 'GB',
      currency: 'GBP',
      cities: [
        { city: 'London', region: null, postal: () => `N${digits(1, rnd)} ${digits(1, rnd)}AB` },
        {
          city: 'Manchester',
          region: null,
          postal: () => `M${digits(1, rnd)} ${digits(1, rnd)}CD`,
        },
      ],
      streets: ['High Street', 'Station Road', 'Church Lane'],
    },
    {
      country: 'SE',
      currency: 'SEK',
      cities: [{ city: 'Stockholm', region: null, postal: () => `11${digits(1, rnd)} ${d(2)()}` }],
      streets: ['Drottninggatan', 'Storgatan'],
    },
    {
      country: 'CA',
      currency: 'CAD',
      cities: [
        { city: 'Toronto', region: 'ON', postal: () => `M5V ${digits(1, rnd)}A${digits(1, rnd)}` },
      ],
      streets: ['King Street West', 'Queen Street'],
    },
    {
      country: 'JP',
      currency: 'JPY',
      cities: [
        { city: 'Tokyo', region: 'Tokyo', postal: () => `1${digits(2, rnd)}-${digits(4, rnd)}` },
      ],
      streets: ['Chuo-dori', 'Omotesando'],
    },
  ];
}

export const FIRST_NAMES = [
  'Ada',
  'Ben',
  'Chloé',
  'Daniel',
  'Emma',
  'Felix',
  'Greta',
  'Hiro',
  'Isabel',
  'Jonas',
  'Kira',
  'Liam',
  'Maja',
  'Noah',
  'Olivia',
  'Pablo',
  'Quinn',
  'Rosa',
  'Sven',
  'Tara',
  'Umar',
  'Vera',
  'Wen',
  'Xavier',
  'Yuki',
  'Zoë',
  'Amara',
  'Björn',
  'Camille',
  'Dev',
] as const;
export const LAST_NAMES = [
  'Andersson',
  'Becker',
  'Chen',
  'Dubois',
  'Evans',
  'Fischer',
  'García',
  'Hansen',
  'Ito',
  'Jansen',
  'Kowalski',
  'Lopez',
  'Müller',
  'Nakamura',
  'O’Brien',
  'Petit',
  'Rossi',
  'Schmidt',
  'Tanaka',
  'Varga',
  'Walker',
  'Yilmaz',
  'Zhang',
  'de Vries',
] as const;

/** Reasons customers give when they cancel, now and then. */
export const CANCEL_REASONS = [
  'Ordered by mistake',
  'Found it cheaper elsewhere',
  'Delivery takes too long',
  'Wrong size',
] as const;
