import { Option, type Command } from 'commander';
import { ApiCallError, type ApiClient } from '../contract/client.ts';
import type { EventOf, ParamsOf, ResultOf } from '../contract/contract.ts';
import type { Contracts, MethodName } from '../contract/methods/index.ts';
import { askTTY } from './ask.ts';
import type { CliContext, CliIO } from './context.ts';
import type { GlobalOptions } from './session.ts';
import { withClient } from './with-client.ts';

type Params<M extends MethodName> = ParamsOf<Contracts[M]>;
type Result<M extends MethodName> = ResultOf<Contracts[M]>;
type Event<M extends MethodName> = EventOf<Contracts[M]>;

/** `[name, description, parser?]`, as for commander's `.argument()`. */
export type ArgSpec = readonly [name: string, description: string, parse?: (value: string) => unknown];
/** `[flags, description, parser-or-default?, default?]`, as for commander's `.option()`. */
export type OptionTuple = readonly [
  flags: string,
  description: string,
  parseOrDefault?: unknown,
  defaultValue?: unknown,
];
export type OptionSpec = OptionTuple | { readonly required: OptionTuple } | Option;

/** An option that must be given (commander's `.requiredOption()`). */
export const required = (...spec: OptionTuple): { readonly required: OptionTuple } => ({ required: spec });

/** Receives the call's streamed events (progress bars, tokens); stopped once the call ends. */
export interface EventSink<E> {
  onEvent(e: E): void;
  stop?(): void;
}

/** A `--yes` confirmation: asked on a terminal, refused under --json or without one. */
export interface Confirmation {
  question: string;
  /** The error when it cannot be asked ("… needs confirmation: add --yes"). */
  refusal: string;
  /** Written to stderr when the answer is no. */
  declined?: string;
}

/** Human output: a line (a newline is added), or text written as is to stdout and stderr. */
export type HumanOutput = string | { stdout?: string; stderr?: string };

/**
 * One CLI command bound to one API method. The helper opens the session, makes the call
 * (with events when `events` is given), prints the human text or the JSON, and lets errors
 * reach runCli, which maps them to exit codes.
 */
export interface CommandSpec<M extends MethodName, A extends unknown[], O, P, X, S> {
  name: string;
  description: string;
  isDefault?: boolean;
  args?: readonly ArgSpec[];
  options?: readonly OptionSpec[];
  method: M;
  /** `false` for the lock's own commands, which handle the passphrase themselves. */
  unlock?: false;
  /**
   * Runs inside the session before the call (look-ups, passphrase prompts); what it returns
   * goes to `confirm` and `params`. Without it, `params` runs before the session opens.
   */
  prepare?: (client: ApiClient, args: A, o: O) => Promise<P>;
  /** Asked unless `--yes`; inside the session, after `prepare` (before it with `confirmFirst`). */
  confirm?: (args: A, o: O, prepared: P) => Confirmation | null;
  confirmFirst?: boolean;
  /** Parsed arguments and options → the method's params; throw here for usage errors. */
  params: (args: A, o: O, prepared: P, io: CliIO) => Params<M> | Promise<Params<M>>;
  /** Made before the session, never under --json (async to load a progress bar only when used). */
  events?: (io: CliIO, opts: GlobalOptions) => (EventSink<Event<M>> & S) | Promise<EventSink<Event<M>> & S>;
  /** After a failure: other params to try once more (e.g. a passphrase asked for), or null. */
  retry?: (err: unknown, params: Params<M>, io: CliIO) => Promise<Params<M> | null>;
  /** Inside the session after the call: what is printed instead of the result. */
  after?: (
    client: ApiClient,
    result: Result<M>,
    args: A,
    o: O,
    more: { signal: AbortSignal; prepared: P },
  ) => Promise<X>;
  human: (out: X, args: A, o: O, events: S | null) => HumanOutput;
  /** The --json data (default: what `human` gets). */
  json?: (out: X) => unknown;
}

/** A declared command, ready to be added under a parent. */
export interface CliCommand {
  register(parent: Command, ctx: CliContext): Command;
}

/** Asks for confirmation unless `yes`; false when the answer is no (after saying so on stderr). */
export async function confirmed(
  io: CliIO,
  opts: GlobalOptions,
  yes: boolean | undefined,
  c: Confirmation | null,
): Promise<boolean> {
  if (yes || !c) return true;
  if (!io.isTTY || opts.json) throw new ApiCallError({ code: 'invalid_params', message: c.refusal });
  if (await (io.confirm ?? askTTY)(c.question)) return true;
  if (c.declined) io.stderr(c.declined);
  return false;
}

export function addOptions(cmd: Command, options: readonly OptionSpec[]): void {
  type Add = (flags: string, description: string, ...rest: unknown[]) => Command;
  for (const spec of options) {
    if (spec instanceof Option) cmd.addOption(spec);
    else if ('required' in spec) (cmd.requiredOption as Add).apply(cmd, [...spec.required]);
    else (cmd.option as Add).apply(cmd, [...spec]);
  }
}

export function print(ctx: CliContext, opts: GlobalOptions, human: HumanOutput, data: unknown): void {
  if (typeof human === 'string' || opts.json)
    return ctx.print(opts, typeof human === 'string' ? human : '', data);
  if (human.stdout !== undefined) ctx.io.stdout(human.stdout);
  if (human.stderr !== undefined) ctx.io.stderr(human.stderr);
}

export function command<
  M extends MethodName,
  A extends unknown[] = unknown[],
  O = Record<string, unknown>,
  P = undefined,
  X = Result<M>,
  S = unknown,
>(spec: CommandSpec<M, A, O, P, X, S>): CliCommand {
  return {
    register(parent, ctx) {
      const cmd = parent.command(spec.name, spec.isDefault ? { isDefault: true } : {});
      for (const [name, description, parse] of spec.args ?? []) {
        if (parse) cmd.argument(name, description, parse);
        else cmd.argument(name, description);
      }
      addOptions(cmd, spec.options ?? []);
      return cmd.description(spec.description).action(async (...all: unknown[]) => {
        const self = all[all.length - 1] as Command;
        await run(ctx, spec, all.slice(0, -2) as A, all[all.length - 2] as O, ctx.globals(self));
      });
    },
  };
}

async function run<M extends MethodName, A extends unknown[], O, P, X, S>(
  ctx: CliContext,
  spec: CommandSpec<M, A, O, P, X, S>,
  args: A,
  o: O,
  opts: GlobalOptions,
): Promise<void> {
  const yes = (o as { yes?: boolean } | undefined)?.yes;
  const ask = (prepared: P) => confirmed(ctx.io, opts, yes, spec.confirm?.(args, o, prepared) ?? null);
  let params = spec.prepare ? undefined : await spec.params(args, o, undefined as P, ctx.io);
  if (spec.confirmFirst && !(await ask(undefined as P))) return;
  const sink = spec.events && !opts.json ? await spec.events(ctx.io, opts) : null;
  const attempt = (given: Params<M> | undefined) =>
    withClient(
      opts,
      ctx.signal,
      async (client) => {
        let p = given;
        let prepared = undefined as P;
        if (spec.prepare) {
          prepared = await spec.prepare(client, args, o);
          if (!spec.confirmFirst && !(await ask(prepared))) return;
          p = await spec.params(args, o, prepared, ctx.io);
        } else if (!spec.confirmFirst && !(await ask(undefined as P))) return;
        try {
          const result = await client.call(spec.method, p!, sink ? { onEvent: (e) => sink.onEvent(e) } : {});
          sink?.stop?.();
          const out = spec.after
            ? await spec.after(client, result, args, o, { signal: ctx.signal, prepared })
            : (result as X);
          print(ctx, opts, spec.human(out, args, o, sink), spec.json ? spec.json(out) : out);
        } finally {
          sink?.stop?.();
        }
      },
      spec.unlock === false ? { unlock: false } : {},
    );
  try {
    await attempt(params);
  } catch (err) {
    const again = spec.retry && params !== undefined ? await spec.retry(err, params, ctx.io) : null;
    if (!again) throw err;
    params = again;
    await attempt(params);
  }
}

/** Adds declared commands under `parent`, in order. */
export function addCommands(parent: Command, ctx: CliContext, commands: readonly CliCommand[]): void {
  for (const c of commands) c.register(parent, ctx);
}
