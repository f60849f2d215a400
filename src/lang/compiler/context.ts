/**
 * Compile-time scopes. Every name is resolved once, when the script is compiled, to a slot:
 * locals to (depth, slot) in the Env chain, globals to a slot of the runtime's global table.
 * Names that are neither declared, builtins nor host functions are reported before the script
 * runs, so a typo never runs half a script.
 */
import type { Program, Stmt } from '../ast.js';
import type { Pos, Runtime } from '../runtime.js';
import { scriptSyntaxError } from '../script-error.js';

export type BindingKind = 'let' | 'var' | 'const' | 'fn' | 'param' | 'loop' | 'catch';

export interface Binding {
  readonly name: string;
  readonly slot: number;
  readonly kind: BindingKind;
  readonly line: number;
  readonly col: number;
  /** False until the declaration has been compiled: reads before it must check for UNINIT. */
  ready: boolean;
}

export interface HoistedDecl {
  readonly slot: number;
  readonly stmt: Extract<Stmt, { type: 'FnDecl' }>;
}

export class Scope {
  readonly names = new Map<string, Binding>();
  readonly hoisted: HoistedDecl[] = [];
  size = 0;
  constructor(
    readonly parent: Scope | null,
    /** The top scope of a function (its parameters live here). */
    readonly isFunction: boolean,
  ) {}
}

export type Resolved =
  | {
      readonly where: 'local';
      readonly depth: number;
      readonly slot: number;
      readonly checked: boolean;
      readonly binding: Binding;
    }
  | { readonly where: 'global'; readonly slot: number };

export class CompileContext {
  /** The innermost local scope; null at the top level of the program. */
  scope: Scope | null = null;
  /** Kinds of the names declared at the top level of this program (the last declaration wins). */
  readonly topLevel = new Map<string, BindingKind>();
  /** Globals this compilation created, removed again if it fails. */
  readonly newGlobals: string[] = [];

  constructor(
    readonly rt: Runtime,
    readonly program: Program,
  ) {}

  get file(): string {
    return this.program.file;
  }

  fail(at: Pos, reason: string): never {
    throw scriptSyntaxError({
      file: this.file,
      source: this.program.source,
      line: at.line,
      col: at.col,
      reason,
      label: null,
    });
  }

  /** Declares a name in a local scope; redeclaring in the same scope is an error. */
  declare(scope: Scope, name: string, kind: BindingKind, at: Pos, ready: boolean): Binding {
    const prev = scope.names.get(name);
    if (prev !== undefined) {
      const what = prev.kind === 'param' ? 'a parameter' : 'already declared';
      this.fail(
        at,
        `'${name}' is ${what} in this scope (at ${prev.line}:${prev.col}); pick another name or assign with '='`,
      );
    }
    const b: Binding = { name, slot: scope.size++, kind, line: at.line, col: at.col, ready };
    scope.names.set(name, b);
    return b;
  }

  /** Declares the direct `let`/`var`/`const`/`fn` statements of a block, so that all its slots are known up front. */
  prescan(scope: Scope, stmts: readonly Stmt[]): void {
    for (const s of stmts) {
      if (s.type === 'Let') this.declare(scope, s.name, s.kind, s, false);
      else if (s.type === 'FnDecl') {
        const b = this.declare(scope, s.fn.name, 'fn', s, true);
        scope.hoisted.push({ slot: b.slot, stmt: s });
      }
    }
  }

  resolve(name: string, at: Pos): Resolved {
    let depth = 0;
    let crossed = false;
    for (let s = this.scope; s !== null; s = s.parent) {
      const b = s.names.get(name);
      if (b !== undefined)
        return { where: 'local', depth, slot: b.slot, checked: crossed || !b.ready, binding: b };
      if (s.isFunction) crossed = true;
      depth++;
    }
    return { where: 'global', slot: this.globalSlot(name, at) };
  }

  globalSlot(name: string, at: Pos): number {
    if (!this.rt.globalIndex.has(name)) {
      if (!this.topLevel.has(name)) {
        this.fail(at, `undefined name '${name}': not a variable, a builtin or a host function`);
      }
      this.newGlobals.push(name);
    }
    return this.rt.globalSlot(name);
  }

  /** Whether assigning to the global `name` would change a constant. */
  isConstGlobal(name: string): boolean {
    const kind = this.topLevel.get(name);
    if (kind !== undefined) return kind === 'const';
    const i = this.rt.globalIndex.get(name);
    return i !== undefined && this.rt.globalConst[i] === true;
  }

  withScope<T>(scope: Scope, fn: () => T): T {
    const saved = this.scope;
    this.scope = scope;
    try {
      return fn();
    } finally {
      this.scope = saved;
    }
  }

  /** Forgets the globals a failed compilation created. */
  rollback(): void {
    for (const name of this.newGlobals) this.rt.globalIndex.delete(name);
  }
}
