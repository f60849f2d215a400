import type { RuleBuilder } from '../builder.js';
import type { Classification } from '../classification.js';

/** Configuration a keyword may consult while parsing. */
export interface ParseContext {
  classifications: Map<string, Classification>;
  references: Map<string, string>;
}

/** Parses one option into the builder; throws RuleProblem when it cannot. */
export type KeywordHandler = (b: RuleBuilder, value: string | null, ctx: ParseContext) => void;

export type KeywordTable = Record<string, KeywordHandler>;
