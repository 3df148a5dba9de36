/** PGV rules on numbers, bools and enums. */
import type { DescEnum } from '@bufbuild/protobuf';
import { rangeProblem } from './range.js';
import type { BoolRules, EnumRules, JsonNumber, NumberRules } from './rules.js';

/** A number from rule JSON (64-bit values come as strings). */
export function num(value: JsonNumber): number {
  return typeof value === 'number' ? value : Number(value);
}

function optNum(value: JsonNumber | undefined): number | undefined {
  return value === undefined ? undefined : num(value);
}

/** `[a b c]`, as Go prints a slice. */
export function goList(values: readonly unknown[]): string {
  return `[${values.map(String).join(' ')}]`;
}

function membership<T>(
  value: T,
  allowed: readonly T[] | undefined,
  denied: readonly T[] | undefined,
): string[] {
  if (allowed !== undefined && allowed.length > 0 && !allowed.includes(value)) {
    return [`value must be in list ${goList(allowed)}`];
  }
  if (denied !== undefined && denied.length > 0 && denied.includes(value)) {
    return [`value must not be in list ${goList(denied)}`];
  }
  return [];
}

/** Violations of a numeric value (any of PGV's twelve numeric kinds). */
export function checkNumber(rules: NumberRules, value: number): string[] {
  if (rules.ignore_empty === true && value === 0) return [];
  if (rules.const !== undefined && value !== num(rules.const)) {
    return [`value must equal ${num(rules.const)}`];
  }
  const bounds = {
    gt: optNum(rules.gt),
    gte: optNum(rules.gte),
    lt: optNum(rules.lt),
    lte: optNum(rules.lte),
  };
  return [
    ...membership(value, rules.in?.map(num), rules.not_in?.map(num)),
    ...rangeProblem(value, bounds, String),
  ];
}

/** Violations of a bool value. */
export function checkBool(rules: BoolRules, value: boolean): string[] {
  return rules.const !== undefined && value !== rules.const
    ? [`value must equal ${String(rules.const)}`]
    : [];
}

/** Violations of an enum value (its number). */
export function checkEnum(rules: EnumRules, value: number, desc: DescEnum): string[] {
  if (rules.const !== undefined && value !== rules.const) return [`value must equal ${rules.const}`];
  const out = membership(value, rules.in, rules.not_in);
  if (rules.defined_only === true && desc.values.every((v) => v.number !== value)) {
    out.push('value must be one of the defined enum values');
  }
  return out;
}
