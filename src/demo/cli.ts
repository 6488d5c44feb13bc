/** `vulnshare demo`: load the generated demo data set through the platform's services (idempotent). */
import type { Command } from 'commander';
import { CLI } from '../accounts/model.js';
import { streams, withPlatform } from '../cli/context.js';
import { DEMO_USERS, loadDemo } from './load.js';

export function registerDemoCommands(program: Command): void {
  program
    .command('demo')
    .description(
      'load the demo data set that ships with vulnshare: records, organisations, reports in every state, a published bulletin, an incident (running it again adds nothing)',
    )
    .action(async (_o, cmd: Command) => {
      const { print } = streams(cmd);
      await withPlatform(cmd, async (p) => {
        const r = await loadDemo(CLI, p);
        print(
          `demo records: ${r.records.read} read, ${r.records.imported} new, ${r.records.unchanged} unchanged, ${r.records.rejected} rejected`,
        );
        print(
          `organisations created: ${r.organisationsCreated}; reports created: ${r.submissionsCreated}; bulletin ${r.bulletin.week} ${r.bulletin.published ? 'published' : 'was published already'}; incident ${r.incident.id}${r.incident.created ? ' created' : ''}`,
        );
        if (r.password)
          print(
            `demo accounts (${DEMO_USERS.map((u) => `${u.email} ${u.role}`).join(', ')}) share the password (shown once): ${r.password}`,
          );
      });
    });
}
