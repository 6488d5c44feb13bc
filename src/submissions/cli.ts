/** Submission commands: `submissions list|show|transition|publish|notify` (notify hands over to coordination). */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CLI } from '../accounts/model.js';
import { streams, withPlatform } from '../cli/context.js';
import { formatTable } from '../cli/output.js';
import { AppError } from '../errors.js';

export function registerSubmissionCommands(program: Command): void {
  const subs = program
    .command('submissions')
    .description('reports received (报送): list, show, move through the workflow, publish');
  subs
    .command('list')
    .description('submissions, newest first')
    .option('--state <state>', 'only this state')
    .option('--limit <n>', 'how many', '50')
    .option('--json', 'print JSON')
    .action(async (o: { state?: string; limit: string; json?: boolean }, cmd: Command) => {
      const { print } = streams(cmd);
      await withPlatform(cmd, async (p) => {
        const items = await p.submissions.list(CLI, {
          ...(o.state ? { state: o.state } : {}),
          limit: Number(o.limit),
        });
        if (o.json) return void print(JSON.stringify(items, null, 2));
        print(
          formatTable(
            ['tracking no', 'state', 'kind', 'id', 'title'],
            items.map((i) => [i.trackingNo, i.state, i.kind, i.vulnerabilityId ?? '', i.title]),
          ),
        );
      });
    });
  subs
    .command('show <trackingNo>')
    .description('one submission with its timeline, verifications and duplicate candidates (JSON)')
    .action(async (trackingNo: string, _o, cmd: Command) => {
      const { print } = streams(cmd);
      await withPlatform(cmd, async (p) => {
        print(JSON.stringify(await p.submissions.get(CLI, trackingNo), null, 2));
      });
    });
  subs
    .command('transition <trackingNo> <to>')
    .description(
      'move a submission (triaged, need_info, duplicate, rejected, verifying, verified, notified, fixed)',
    )
    .option('--note <text>', 'note (need_info needs one)')
    .option('--reason <text>', 'reason (rejected needs one)')
    .option('--duplicate-of <trackingNo>', 'the canonical submission (duplicate)')
    .option('--verification <file>', 'JSON: {environment, steps, result, pocUrl?, verifier} (verified)')
    .action(
      async (
        trackingNo: string,
        to: string,
        o: { note?: string; reason?: string; duplicateOf?: string; verification?: string },
        cmd: Command,
      ) => {
        const { print } = streams(cmd);
        let verification: unknown;
        if (o.verification) {
          try {
            verification = JSON.parse(readFileSync(o.verification, 'utf8'));
          } catch (e) {
            throw new AppError('invalid_input', `${o.verification}: ${(e as Error).message}`);
          }
        }
        await withPlatform(cmd, async (p) => {
          const v = await p.submissions.transition(CLI, trackingNo, {
            to: to as never,
            ...(o.note ? { note: o.note } : {}),
            ...(o.reason ? { reason: o.reason } : {}),
            ...(o.duplicateOf ? { duplicateOf: o.duplicateOf } : {}),
            ...(verification ? { verification: verification as never } : {}),
          });
          print(`${v.trackingNo}: ${v.state}${v.vulnerabilityId ? ` (${v.vulnerabilityId})` : ''}`);
        });
      },
    );
  subs
    .command('publish <trackingNo>')
    .description('publish now, or at the end of an embargo')
    .option('--embargo-until <datetime>', 'a date-time with its zone, e.g. 2026-02-01T09:00:00+08:00')
    .action(async (trackingNo: string, o: { embargoUntil?: string }, cmd: Command) => {
      const { print } = streams(cmd);
      await withPlatform(cmd, async (p) => {
        const v = await p.submissions.publish(CLI, trackingNo, {
          ...(o.embargoUntil ? { embargoUntil: o.embargoUntil } : {}),
        });
        print(
          v.publishedAt
            ? `${v.trackingNo}: published as ${v.vulnerabilityId ?? ''}`
            : `${v.trackingNo}: scheduled for ${v.embargoUntil ?? ''}`,
        );
      });
    });
  subs
    .command('notify <trackingNo>')
    .description('notify organisations about a verified submission (messages go out through the worker)')
    .requiredOption('--org <id...>', 'organisation ids')
    .option(
      '--category <category>',
      'vendor, affected_org, critical_sector, telecom_operator, regional_branch, education_cert, authority',
      'vendor',
    )
    .action(async (trackingNo: string, o: { org: string[]; category: string }, cmd: Command) => {
      const { print } = streams(cmd);
      await withPlatform(cmd, async (p) => {
        const r = await p.coordination.notify(
          CLI,
          trackingNo,
          o.org.map((id) => ({ organisationId: Number(id), category: o.category as never })),
        );
        print(`${trackingNo}: ${r.notifications.length} notified, ${r.messages} messages queued`);
      });
    });
}
