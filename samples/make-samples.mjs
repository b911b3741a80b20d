#!/usr/bin/env node
// Regenerates the sample lists, deterministically: `node samples/make-samples.mjs`.
// The intended outcome of every special row is documented in samples/README.md.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'csv-stringify/sync';

const here = dirname(fileURLToPath(import.meta.url));

// Deterministic PRNG (mulberry32).
function rng(seed) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(20240611);
const pick = (list) => list[Math.floor(random() * list.length)];

const FIRST = ['Alice', 'Ben', 'Chloe', 'Daniel', 'Emma', 'Farid', 'Grace', 'Hugo', 'Isla', 'Jonas', 'Keiko', 'Liam', 'Maya', 'Noah', 'Olivia', 'Pablo', 'Quinn', 'Rosa', 'Samuel', 'Tara', 'Umar', 'Vera', 'William', 'Xenia', 'Yusuf', 'Zoe', 'Aaron', 'Bianca', 'Carlos', 'Dana', 'Elif', 'Felix', 'Gemma', 'Henrik', 'Ines', 'Jack', 'Kira', 'Lucas', 'Mei', 'Nina'];
const LAST = ['Nguyen', 'Carter', 'Martin', 'Okafor', 'Schmidt', 'Rossi', 'Kowalski', 'Haddad', 'Tanaka', 'Silva', 'Murphy', 'Jensen', 'Dubois', 'Novak', 'Patel', 'Garcia', 'Kim', 'Larsen', 'Moreau', 'Fischer', 'Costa', 'Walsh', 'Ivanova', 'Berg', 'Lopez', 'Yilmaz', 'Hughes', 'Sato', 'Meyer', 'Brennan'];
// Real consumer providers (deliverable on the real internet too).
const CONSUMER = ['gmail.com', 'gmail.com', 'gmail.com', 'outlook.com', 'hotmail.com', 'yahoo.com', 'icloud.com', 'proton.me', 'gmx.de', 'web.de', 'orange.fr', 'fastmail.com'];
// Fictitious company domains: deliverable in the sample DNS zone (MX to a public address).
const COMPANY = ['brightwave-analytics.com', 'harborview-dental.com', 'greenleaf-organics.net', 'summit-outdoor.co.uk', 'bluepeak-software.io', 'copperfield-law.com', 'northgate-logistics.com', 'maplecrest-school.org'];
const SOURCES = ['website', 'checkout', 'webinar', 'trade-show', 'referral', 'import-2022', 'newsletter-footer'];

const date = () => {
  const d = new Date(Date.UTC(2021, 0, 1) + Math.floor(random() * 3 * 365) * 86400000);
  return d.toISOString().slice(0, 10);
};
const used = new Set();
function person() {
  for (;;) {
    const first = pick(FIRST);
    const last = pick(LAST);
    const key = `${first}.${last}`;
    if (used.has(key)) continue;
    used.add(key);
    return { first, last };
  }
}
function localPart(first, last) {
  const style = Math.floor(random() * 4);
  const f = first.toLowerCase();
  const l = last.toLowerCase();
  return [`${f}.${l}`, `${f[0]}${l}`, `${f}${l}${Math.floor(random() * 90 + 10)}`, `${f}_${l}`][style];
}
const row = (first, last, email, source = pick(SOURCES)) => [first, last, email, date(), source];

// Special rows: [first, last, email, source?]. Keep README.md in step with this list.
const SPECIAL = [
  // syntax
  ['Jane', 'Doe', 'jane.doe.gmail.com'], // no @
  ['Tom', 'Price', 'tom@@gmail.com'], // two @
  ['Anna', 'Lee', 'anna..lee@outlook.com'], // consecutive dots
  ['Omar', 'Khan', '.omar.khan@yahoo.com'], // leading dot
  ['Sam', 'Reed', 'sam reed@gmail.com'], // space
  ['Lena', 'Vogt', 'lena.vogt@gmail,com'], // comma for dot (quoted in the CSV)
  ['Raj', 'Mehta', ''], // empty cell
  ['Ivy', 'Chen', '@brightwave-analytics.com'], // no local part
  ['Max', 'Bauer', 'max.bauer@'], // no domain
  ['Nora', 'Quinn', 'nora.quinn@harborview_dental.com'], // underscore in the domain
  ['Leo', 'Marsh', 'leo.marsh@gmail'], // no top-level domain
  // unusual syntax
  ['John', 'Doe', '"john doe"@brightwave-analytics.com'], // quoted local part
  ['Kai', 'Lund', 'kai.lund@[203.0.113.7]'], // IP literal
  ['Maria', 'Lopez', 'Maria Lopez <maria.lopez@harborview-dental.com>'], // display name
  ['Kevin', 'Hart', 'mailto:kevin.hart@summit-outdoor.co.uk'], // mailto:
  ['José', 'Ortega', 'josé.ortega@greenleaf-organics.net'], // non-ASCII local part
  ['Pat', 'Ellis', 'pat(work)@bluepeak-software.io'], // comment
  // disposable
  ['Test', 'User', 'qwerty123@mailinator.com'],
  ['Free', 'Trial', 'freetrial2023@guerrillamail.com'],
  ['Temp', 'Signup', 'tempsignup@yopmail.com'],
  ['Quick', 'Look', 'quicklook@10minutemail.com'],
  ['Shark', 'Fan', 'sharkfan@sharklasers.com'],
  // role accounts
  ['', '', 'info@copperfield-law.com', 'trade-show'],
  ['', '', 'sales@northgate-logistics.com', 'trade-show'],
  ['', '', 'support@bluepeak-software.io', 'website'],
  ['', '', 'admin@maplecrest-school.org', 'import-2022'],
  ['', '', 'webmaster@greenleaf-organics.net', 'import-2022'],
  ['', '', 'postmaster@summit-outdoor.co.uk', 'import-2022'],
  // typo domains
  ['Hannah', 'Wright', 'hannah.wright@gmial.com'],
  ['Oscar', 'Reyes', 'oscar.reyes@hotmial.com'],
  ['Ruth', 'Adams', 'ruth.adams@yaho.com'],
  ['Victor', 'Hale', 'victor.hale@gmail.con'],
  ['Wendy', 'Ford', 'wendy.ford@outlok.com'],
  ['Ethan', 'Cole', 'ethan.cole@yahooo.com'],
  // DNS outcomes (fictitious domains; see README.md for the zone)
  ['Paul', 'Grant', 'paul.grant@oakridge-supplies-defunct.com'], // NXDOMAIN
  ['Sara', 'Lind', 'sara.lind@lumenbay-consulting.net'], // NXDOMAIN
  ['Gary', 'Stone', 'gary@parked-brandname.com'], // null MX
  ['Mona', 'Blake', 'mona.blake@parked-brandname.com'], // null MX (domain shared: one lookup)
  ['Ian', 'Frost', 'ian.frost@txtonly-holdings.com'], // no MX, no A/AAAA
  ['Amy', 'Shaw', 'amy.shaw@tinyshop-direct.com'], // no MX but an A record: deliverable (implicit MX)
  ['Ray', 'Dunn', 'ray.dunn@intranet-relay.com'], // MX -> 10.20.30.40 (private)
  ['Eva', 'Kerr', 'eva.kerr@dangling-mx.com'], // MX host does not resolve
  ['Tim', 'Boyd', 'tim.boyd@slowzone-dns.com'], // the zone never answers: timeout
  ['Uma', 'Roy', 'uma.roy@servfail-broken.net'], // SERVFAIL
];

// Duplicates of earlier valid rows, differing in case and spacing.
const DUPLICATE_OF = [3, 10, 25, 40, 76, 120];

const rows = [];
let special = 0;
for (let i = 0; rows.length < 300; i++) {
  if (i % 6 === 5 && special < SPECIAL.length) {
    const [first, last, email, source] = SPECIAL[special++];
    rows.push(row(first, last, email, source));
    continue;
  }
  const { first, last } = person();
  const domain = random() < 0.7 ? pick(CONSUMER) : pick(COMPANY);
  rows.push(row(first, last, `${localPart(first, last)}@${domain}`));
}
const variants = [(e) => e.toUpperCase(), (e) => ` ${e} `, (e) => e.replace(/^./, (c) => c.toUpperCase()).replace(/@(.)/, (m, c) => `@${c.toUpperCase()}`)];
DUPLICATE_OF.forEach((index, k) => {
  const original = rows[index];
  const email = variants[k % variants.length](original[2]);
  rows.splice(150 + k * 20, 0, [original[0], original[1], email, date(), 'import-2022']);
});
rows.length = 300;

let text = stringify([['first_name', 'last_name', 'email', 'signup_date', 'source'], ...rows]);
// Two malformed rows (wrong field counts), written by hand: an unquoted comma in a name, a lost field.
const lines = text.split('\n');
lines.splice(101, 0, "Patrick,O'Neil, Jr.,patrick.oneil@gmail.com,2022-05-14,website");
lines.splice(202, 0, 'Greta,greta.holm@outlook.com,2023-02-01');
text = lines.join('\n');
writeFileSync(join(here, 'subscribers.csv'), text);

// ~50 rows, semicolon, latin1, accented names, "E-mail" header.
const LATIN = [
  ['Élodie', 'Lefèvre', 'elodie.lefevre@orange.fr'],
  ['Jürgen', 'Müller', 'juergen.mueller@web.de'],
  ['Begoña', 'Núñez', 'begona.nunez@gmail.com'],
  ['François', 'Gauthier', 'f.gauthier@free.fr'],
  ['Søren', 'Kjær', 'soren.kjaer@gmail.com'],
  ['Ines', 'Schäfer', 'ines.schaefer@gmx.de'],
  ['João', 'Conceição', 'joao.conceicao@gmail.com'],
  ['Zoë', 'Brontë', 'zoe.bronte@outlook.com'],
  ['Agnès', 'Dupré', 'agnes.dupre@orange.fr'],
  ['Björn', 'Åström', 'bjorn.astrom@gmail.com'],
];
const latinRows = [];
for (let i = 0; latinRows.length < 50; i++) {
  const [first, last, email] = LATIN[i % LATIN.length];
  const n = Math.floor(i / LATIN.length);
  const address = n === 0 ? email : email.replace('@', `${n + 1}@`);
  latinRows.push([first, last, address, date()]);
}
latinRows[12][2] = 'marc.olivié@gmial.com'; // typo domain (and a non-ASCII local part)
latinRows[23][2] = 'contact@brightwave-analytics.com'; // role account
latinRows[31][2] = 'sans arobase'; // syntax
latinRows[44][2] = 'ELODIE.LEFEVRE@ORANGE.FR'; // duplicate of row 1
const latinText = stringify([['Prénom', 'Nom', 'E-mail', 'Inscrit le'], ...latinRows], { delimiter: ';', record_delimiter: '\r\n', quote_record_delimiter: true });
writeFileSync(join(here, 'subscribers-semicolon-latin1.csv'), Buffer.from(latinText, 'latin1'));
