#!/usr/bin/env node
/**
 * Writes the labelled typo set (test/typos/typos.csv, test/typos/correct.csv): misspellings of the
 * provider domains as people make them, each with the domain meant, and correct addresses at the same
 * providers. Deterministic (seeded), so the committed files are what this script writes:
 *
 *   node test/typos/make-typo-set.mjs
 *
 * Typo kinds, after the slips mail-typo studies count most (a neighbouring key, a letter left out,
 * doubled or swapped; the TLD mistyped, doubled or glued on; the dot left out):
 *   key, omit, double, swap, insert, tld, tld-doubled, tld-glued, no-dot, second-level
 * A generated typo that is itself one of the providers is not a typo: skipped.
 */
import { writeFileSync } from 'node:fs';

const PROVIDERS = [
  'gmail.com', 'yahoo.com', 'hotmail.com', 'outlook.com', 'icloud.com', 'googlemail.com',
  'protonmail.com', 'comcast.net', 'verizon.net', 'sbcglobal.net', 'bellsouth.net',
  'btinternet.com', 'yahoo.co.uk', 'hotmail.co.uk', 'hotmail.fr', 'yahoo.fr', 'outlook.fr',
  'wanadoo.fr', 'laposte.net', 'libero.it', 't-online.de', 'rocketmail.com', 'orange.fr',
  'hotmail.de', 'hotmail.it', 'hotmail.es', 'yahoo.co.jp', 'yahoo.com.br', 'hotmail.com.br',
  'freenet.de', 'virgilio.it', 'tiscali.it', 'rambler.ru', 'yandex.ru', 'seznam.cz', 'interia.pl',
  'naver.com', 'hanmail.net', 'bol.com.br', 'uol.com.br', 'terra.com.br', 'bigpond.com',
  'optusnet.com.au', 'virginmedia.com', 'ntlworld.com', 'talktalk.net', 'bluewin.ch', 'telenet.be',
  'rediffmail.com', 'earthlink.net', 'foxmail.com', 'web.de', 'gmx.de', 'gmx.net', 'mail.ru',
  'free.fr', 'qq.com', '163.com', 'wp.pl', 'aol.com', 'live.com', 'msn.com', 'ymail.com',
];

const QWERTY = ['1234567890-', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm'];
function neighbours(c) {
  for (let r = 0; r < QWERTY.length; r++) {
    const i = QWERTY[r].indexOf(c);
    if (i < 0) continue;
    const out = [QWERTY[r][i - 1], QWERTY[r][i + 1], QWERTY[r - 1]?.[i], QWERTY[r - 1]?.[i + 1], QWERTY[r + 1]?.[i], QWERTY[r + 1]?.[i - 1]];
    return out.filter((x) => x !== undefined && x !== '-');
  }
  return [];
}

// mulberry32: a small seeded generator, so the files are the same on every run
let seed = 13;
function random() {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (list) => list[Math.floor(random() * list.length)];

function split(domain) {
  const dot = domain.indexOf('.');
  return { name: domain.slice(0, dot), suffix: domain.slice(dot + 1) };
}

const KINDS = {
  key({ name, suffix }) {
    const i = 1 + Math.floor(random() * (name.length - 1));
    const near = neighbours(name[i]);
    return near.length === 0 ? null : `${name.slice(0, i)}${pick(near)}${name.slice(i + 1)}.${suffix}`;
  },
  omit({ name, suffix }) {
    if (name.length < 5) return null;
    const i = 1 + Math.floor(random() * (name.length - 1));
    return `${name.slice(0, i)}${name.slice(i + 1)}.${suffix}`;
  },
  double({ name, suffix }) {
    const i = 1 + Math.floor(random() * (name.length - 1));
    return `${name.slice(0, i)}${name[i]}${name.slice(i)}.${suffix}`;
  },
  swap({ name, suffix }) {
    if (name.length < 4) return null;
    const i = 1 + Math.floor(random() * (name.length - 2));
    if (name[i] === name[i + 1]) return null;
    return `${name.slice(0, i)}${name[i + 1]}${name[i]}${name.slice(i + 2)}.${suffix}`;
  },
  insert({ name, suffix }) {
    const i = 1 + Math.floor(random() * (name.length - 1));
    const near = neighbours(name[i]);
    return near.length === 0 ? null : `${name.slice(0, i)}${pick(near)}${name.slice(i)}.${suffix}`;
  },
  tld({ name, suffix }) {
    const tld = suffix.slice(suffix.lastIndexOf('.') + 1);
    const slips = { com: ['con', 'cmo', 'comm', 'vom', 'xom', 'cpm', 'ocm', 'co', 'cm'], net: ['nte', 'nett', 'ney', 'nrt'] }[tld];
    if (slips === undefined || suffix !== tld) return null;
    return `${name}.${pick(slips)}`;
  },
  'tld-doubled'({ name, suffix }) {
    const tld = suffix.slice(suffix.lastIndexOf('.') + 1);
    return `${name}.${suffix}.${pick([tld, 'com'])}`;
  },
  'tld-glued'({ name, suffix }) {
    const tld = suffix.slice(suffix.lastIndexOf('.') + 1);
    return suffix === tld ? `${name}.${tld}${tld}` : null;
  },
  'no-dot'({ name, suffix }) {
    return suffix.includes('.') ? null : `${name}${suffix}`;
  },
  'second-level'({ name, suffix }) {
    const [second, cc] = suffix.split('.');
    if (cc === undefined) return null;
    return `${name}.${pick(second === 'co' ? ['con', 'cp', 'com'] : ['con', 'co', 'cmo'])}.${cc}`;
  },
};
const WEIGHTED = ['key', 'key', 'key', 'omit', 'omit', 'omit', 'double', 'double', 'swap', 'swap', 'insert', 'tld', 'tld', 'tld-doubled', 'tld-glued', 'no-dot', 'second-level'];

const providers = new Set(PROVIDERS);
const typos = new Map();
for (let attempt = 0; typos.size < 420 && attempt < 20000; attempt++) {
  const meant = pick(PROVIDERS);
  const kind = pick(WEIGHTED);
  const typed = KINDS[kind](split(meant));
  if (typed === null || typed === meant || providers.has(typed) || typos.has(typed)) continue;
  typos.set(typed, { meant, kind });
}

const FIRST = ['anna', 'ben', 'carla', 'david', 'eva', 'felix', 'giulia', 'hans', 'ines', 'jan', 'karin', 'luis', 'maria', 'nico', 'olga', 'pierre', 'quentin', 'rosa', 'sven', 'tanja', 'ugo', 'vera', 'wei', 'xavier', 'yuki', 'zofia', 'ahmed', 'bianca', 'chen', 'dmitri', 'elif', 'farah', 'goran', 'hiro', 'ivan', 'joao', 'kemal', 'lena', 'marco', 'nadia'];
const LAST = ['mueller', 'rossi', 'dubois', 'garcia', 'silva', 'novak', 'kowalski', 'smith', 'jones', 'tanaka', 'kim', 'ivanov', 'schmidt', 'bianchi', 'martin', 'lopez', 'santos', 'horvat', 'nowak', 'brown', 'wang', 'sato', 'petrov', 'weber', 'ferrari', 'bernard', 'perez', 'costa', 'dvorak', 'wilson'];
function localPart() {
  const f = pick(FIRST);
  const l = pick(LAST);
  const n = Math.floor(random() * 100);
  return pick([`${f}.${l}`, `${f}${l}`, `${f[0]}${l}`, `${f}_${l}`, `${f}${n}`, `${f}.${l}${n}`, `${l}.${f}`, `${f}-${l}`, `${f}${l[0]}${1960 + n}`]);
}

const correct = new Set();
while (correct.size < 3200) correct.add(`${localPart()}@${pick(PROVIDERS)}`);

const here = new URL('./', import.meta.url);
writeFileSync(new URL('typos.csv', here), `email,meant,kind\n${[...typos].map(([typed, t]) => `${localPart()}@${typed},${t.meant},${t.kind}`).join('\n')}\n`);
writeFileSync(new URL('correct.csv', here), `email\n${[...correct].join('\n')}\n`);
console.log(`${typos.size} typos, ${correct.size} correct addresses`);
