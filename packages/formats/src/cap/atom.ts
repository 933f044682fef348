/**
 * An Atom feed (RFC 4287) of CAP messages, as alert aggregators read CAP feeds: one entry per
 * message, its id and `alternate` link the message's absolute URL (`application/cap+xml`),
 * its title and summary the first `<info>`'s headline and description, `updated` the
 * message's `<sent>`, and a category with the zone's tier. Pure: the same input gives the
 * same bytes.
 */
import { readCapAlert, xmlEscape } from './cap.js';

export const ATOM_NAMESPACE = 'http://www.w3.org/2005/Atom';

export interface CapAtomEntry {
  /** The CAP document. */
  xml: string;
  /** Absolute URL of the message (`…/api/v1/cap/<identifier>`): the entry's id and link. */
  href: string;
}

export interface CapAtomFeed {
  /** Absolute URL of the feed itself: the feed's id and `self` link. */
  selfHref: string;
  title: string;
  /** The feed's author (Atom requires one): the CAP senderName. */
  author: string;
  /** `updated` when there are no entries (RFC 3339 date-time, e.g. a CAP time). */
  emptyUpdated: string;
  entries: readonly CapAtomEntry[];
}

/** The feed document (UTF-8 text with an XML declaration). Throws when an entry's CAP document does not read (a programmer error: we made it). */
export function capAtomFeed(feed: CapAtomFeed): string {
  const e = xmlEscape;
  const items = feed.entries.map((x) => {
    const r = readCapAlert(x.xml);
    if (!r.ok) throw new Error(`Atom feed: entry ${x.href}: ${r.error}`);
    const info = r.alert.info[0];
    return { href: x.href, alert: r.alert, info };
  });
  // newest first; the feed's updated is its newest entry's
  items.sort((a, b) => (a.alert.sent < b.alert.sent ? 1 : a.alert.sent > b.alert.sent ? -1 : a.href < b.href ? -1 : 1));
  const updated = items.length > 0 ? items[0].alert.sent : feed.emptyUpdated;
  let out = '<?xml version="1.0" encoding="UTF-8"?>\n';
  out += `<feed xmlns="${ATOM_NAMESPACE}">\n`;
  out += `  <id>${e(feed.selfHref)}</id>\n`;
  out += `  <title>${e(feed.title)}</title>\n`;
  out += `  <updated>${e(updated)}</updated>\n`;
  out += `  <author><name>${e(feed.author)}</name></author>\n`;
  out += `  <link rel="self" type="application/atom+xml" href="${e(feed.selfHref)}"/>\n`;
  for (const it of items) {
    const headline = it.info?.headline ?? it.info?.event ?? it.alert.identifier;
    out += '  <entry>\n';
    out += `    <id>${e(it.href)}</id>\n`;
    out += `    <title>${e(headline)}</title>\n`;
    out += `    <updated>${e(it.alert.sent)}</updated>\n`;
    if (it.info?.description) out += `    <summary>${e(it.info.description)}</summary>\n`;
    const tier = it.info?.parameters.tier;
    if (tier) out += `    <category term="${e(tier)}" label="${e(tier.toUpperCase())}"/>\n`;
    out += `    <link rel="alternate" type="application/cap+xml" href="${e(it.href)}"/>\n`;
    out += '  </entry>\n';
  }
  out += '</feed>\n';
  return out;
}
