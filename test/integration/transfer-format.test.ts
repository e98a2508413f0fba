import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES_DIR, loadFixture } from '../support/fixtures.js';
import { startTestApp, TEST_DATABASE_URL, type TestApp } from '../support/test-app.js';
import { exportFile, importFile, seedFixtureUsers } from '../support/transfer.js';

const EXPORT_ALL = readFileSync(new URL('export-all.dat', FIXTURES_DIR), 'utf8');
const EXPORT_BATCH = readFileSync(new URL('export-batch.dat', FIXTURES_DIR), 'utf8');

interface ExportReadme {
  files: Record<string, { post_fields: Record<string, string | string[]> }>;
}
const README = loadFixture<ExportReadme>('export-README.json');
const allFields = README.files['export-all.dat']?.post_fields ?? {};
const batchFields = README.files['export-batch.dat']?.post_fields ?? {};

/**
 * Files that cross systems: the plugin lab's users, exported here with the options the plugin was given,
 * give the plugin's own files byte for byte; the plugin's file imports here as WordPress imported it.
 */
describe('the plugin file format', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
    await seedFixtureUsers(app);
  });
  afterAll(async () => {
    await app?.destroy();
  });

  // Line order is the database collation's: MariaDB's utf8mb4 collation sorts as WordPress's MySQL
  // did; SQLite sorts bytes, so there only the lines themselves are compared.
  const collated = !TEST_DATABASE_URL.startsWith('sqlite:');

  it('exports the lab users exactly as the plugin did (export-all.dat)', async () => {
    const { content, job, headers } = await exportFile(app, { metaKeys: allFields['meta_keys[]'] });
    expect(job.status).toBe('COMPLETED');
    expect(job.processed).toBe(17);
    expect(job.downloadName).toMatch(/^wprus-user-export-\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d\.dat$/);
    expect(headers.get('content-disposition')).toBe(`attachment; filename="${job.downloadName}"`);
    const ours = content.split('\n');
    const theirs = EXPORT_ALL.split('\n');
    if (!collated) {
      ours.sort();
      theirs.sort();
    }
    expect(ours).toHaveLength(theirs.length);
    for (let i = 0; i < theirs.length; i++) {
      const theirLine = theirs[i] ?? '';
      if (theirLine.startsWith('{"user_login":"ix_capfirst"')) {
        // No role registry here: the direct capability WordPress filters out is written as a role.
        expect(ours[i]).toBe(
          theirLine.replace('"roles":{"1":"editor"}', '"roles":["ix_custom_cap","editor"]'),
        );
      } else {
        expect(ours[i], `line ${i + 1}`).toBe(theirLine);
      }
    }
  });

  it.runIf(collated)('pages with roles, offset and max as the plugin did (export-batch.dat)', async () => {
    const { content } = await exportFile(app, {
      roles: batchFields['user_roles[]'],
      metaKeys: batchFields['meta_keys[]'],
      offset: 1,
      max: 3,
    });
    expect(content).toBe(EXPORT_BATCH);
  });

  it('imports the plugin file as WordPress did: duplicates refused, the rest created with roles and meta', async () => {
    const target = await startTestApp();
    try {
      const first = await importFile(target, EXPORT_ALL);
      expect(first.job).toMatchObject({ status: 'COMPLETED', processed: 17, created: 17, failed: 0 });
      const again = await importFile(target, EXPORT_ALL);
      expect(again.job).toMatchObject({ status: 'COMPLETED', created: 0, failed: 17 });
      expect(again.errors[0]).toMatchObject({
        line: 1,
        login: 'admin',
        cause: 'existing_user_login',
        message: 'Sorry, that username already exists!',
      });
      const res = await target.gql<{ user: { roles: string[]; meta: { key: string; value: unknown }[] } }>(
        `{ user(login: "ix_arraymeta") { roles meta(keys: ["ix_prefs", "ix_list", "nickname"]) { key value } } }`,
      );
      expect(res.data?.user.roles).toEqual(['subscriber']);
      const prefix = target.services.config.tablePrefix;
      const rows = await target.orm.em
        .getConnection()
        .getKnex()(`${prefix}usermeta as m`)
        .join(`${prefix}users as u`, 'u.ID', 'm.user_id')
        .where('u.user_login', 'ix_arraymeta')
        .whereIn('m.meta_key', ['ix_prefs', 'ix_list'])
        .orderBy('m.umeta_id')
        .select('m.meta_key', 'm.meta_value');
      // WordPress re-serialized them to the very bytes site A stored.
      expect(rows).toEqual([
        {
          meta_key: 'ix_prefs',
          meta_value:
            'a:5:{s:5:"theme";s:4:"dark";s:5:"langs";a:2:{i:0;s:2:"en";i:1;s:2:"fr";}s:1:"n";i:3;s:2:"ok";b:1;s:6:"nested";a:1:{s:3:"a/b";s:3:"x"y";}}',
        },
        { meta_key: 'ix_list', meta_value: 'a:3:{i:0;s:3:"one";i:1;s:3:"two";i:2;s:5:"three";}' },
      ]);
    } finally {
      await target.destroy();
    }
  });
});
