/** Assertions on the printed story shared by both quickstart tests. */
import { expect } from 'vitest';

export function checkQuickstartOutput(lines: readonly string[]): void {
  const text = lines.join('\n');
  // SAS: each side shows its own code; the other is offered four candidates and picks that code.
  const shown = new Map([...text.matchAll(/(Alice|Bob)'s screen shows the code ([A-Z2-9]{4})/g)].map((m) => [m[1]!, m[2]!]));
  expect([...shown.keys()].sort()).toEqual(['Alice', 'Bob']);
  expect(shown.get('Alice')).not.toBe(shown.get('Bob'));
  const picks = [...text.matchAll(/(Alice|Bob) is offered ((?:[A-Z2-9]{4} ){3}[A-Z2-9]{4}), hears ([A-Z2-9]{4}) from (Alice|Bob) and picks ([A-Z2-9]{4})/g)];
  expect(picks).toHaveLength(2);
  for (const [, who, offered, heard, from, picked] of picks) {
    expect(from).not.toBe(who);
    expect(heard).toBe(shown.get(from!));
    expect(picked).toBe(heard);
    expect(offered!.split(' ')).toContain(heard);
  }
  expect(text).toMatch(/Bob is enrolled: user [0-9a-f]{32}, device "bob-laptop", profile STANDARD/);
  expect(text).toContain('Bob sees workspace "Team" (role CONTRIBUTOR)');

  // The conflict copy appears on both devices, each with its own content.
  const copy = 'plan (sync conflict 1).txt';
  expect(text).toContain(`his version is kept as "${copy}"`);
  for (const who of ['Alice', 'Bob']) {
    const listing = lines.find((l) => l.includes(`${who}'s listing of /:`));
    expect(listing, `${who}'s listing`).toBeDefined();
    expect(listing).toContain(`${copy} (`);
    expect(listing).toContain('plan.txt (');
    expect(text).toContain(`${who} reads /plan.txt: "Plan: ship the SDK on Monday." and /${copy}: "Plan: ship the SDK after the audit."`);
  }

  // Revocation: automatic key rotation, then Bob's typed errors.
  expect(text).toContain('rotated the key: key index 1 → 2');
  expect(text).toMatch(/Alice writes \/roadmap\.txt with key index 2; members now: Alice OWNER\./);
  expect(text).toMatch(/Bob's sync is refused by the server: TransportError transport\/revoked/);
  expect(text).toMatch(/Bob's keys \(up to index 1\) fail: ManifestError manifest\/unknown-key-index/);
  expect(text).toContain('What Bob synced before his removal stays on his device: /plan.txt = "Plan: ship the SDK on Monday."');
  expect(lines.at(-1)).toBe('Done.');
}
