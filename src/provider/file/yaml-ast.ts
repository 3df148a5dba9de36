/**
 * Checks and look-ups on composed YAML documents (the yaml library's node tree), done before and after `toJS`.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node, type YAMLMap } from 'yaml';
import type { PathSegment } from '../../translate/problem.js';
import { MAX_ALIASES, MAX_DEPTH, truncate } from './limits.js';
import type { YamlIssue } from './yaml-stream.js';

/** The merge key (`<<: *base`), which may repeat and is not a field of its own. */
const MERGE_KEY = '<<';

/**
 * The property name a scalar key becomes in the JavaScript object (`toJS` stringifies non-string keys). The merge
 * key is a symbol in the yaml library; it is named `<<`.
 */
function keyName(key: unknown): string | undefined {
  if (!isScalar(key)) return undefined;
  const value = key.value;
  if (typeof value === 'symbol') return value.description;
  return typeof value === 'string' ? value : String(value);
}

/** Offset where `node` starts, or undefined for nodes without a source range. */
export function nodeStart(node: unknown): number | undefined {
  if (isAlias(node) || isScalar(node) || isMap(node) || isSeq(node)) return node.range?.[0];
  return undefined;
}

/**
 * Reports keys that appear twice in one mapping (in linear time; the yaml library's own check is quadratic) and
 * keys that are collections (a Kubernetes object, being JSON, has only string keys).
 */
function keyIssues(map: YAMLMap): YamlIssue[] {
  const seen = new Set<string>();
  const issues: YamlIssue[] = [];
  for (const pair of map.items) {
    if (isMap(pair.key) || isSeq(pair.key)) {
      issues.push({
        offset: nodeStart(pair.key) ?? 0,
        message: 'a mapping key must be a scalar, not a collection',
      });
      continue;
    }
    const name = keyName(pair.key);
    if (name === undefined || name === MERGE_KEY) continue;
    if (seen.has(name)) {
      issues.push({ offset: nodeStart(pair.key) ?? 0, message: `duplicate key "${truncate(name, 40)}"` });
    }
    seen.add(name);
  }
  return issues;
}

/** The children of a collection node, pair keys and values included. */
function childrenOf(node: Node): unknown[] {
  if (!isMap(node) && !isSeq(node)) return [];
  const children: unknown[] = [];
  for (const item of node.items) {
    if (isPair(item)) children.push(item.key, item.value);
    else children.push(item);
  }
  return children;
}

/** What a walk over a document's tree found. */
interface TreeFacts {
  /** Alias nodes seen. */
  aliases: number;
  /** The first collection found nested deeper than {@link MAX_DEPTH} levels (the walk stops there). */
  tooDeep: unknown;
  /** Duplicate keys and collections used as keys. */
  keyIssues: YamlIssue[];
}

/** Walks the tree below `root` without recursion, counting aliases and checking depth and mapping keys. */
function walkTree(root: unknown): TreeFacts {
  const facts: TreeFacts = { aliases: 0, tooDeep: undefined, keyIssues: [] };
  const pending: Array<{ node: unknown; depth: number }> = [{ node: root, depth: 0 }];
  for (let entry = pending.pop(); entry !== undefined; entry = pending.pop()) {
    const { node, depth } = entry;
    if (isAlias(node)) facts.aliases += 1;
    if (!isMap(node) && !isSeq(node)) continue;
    if (depth >= MAX_DEPTH) {
      facts.tooDeep = node;
      break;
    }
    if (isMap(node)) facts.keyIssues.push(...keyIssues(node));
    for (const child of childrenOf(node)) pending.push({ node: child, depth: depth + 1 });
  }
  return facts;
}

/**
 * Checks a composed document before it is converted: nesting depth (at most {@link MAX_DEPTH} levels of
 * collections, the root collection being level 1), number of alias nodes (at most {@link MAX_ALIASES}), duplicate
 * mapping keys and collections as keys. A limit exceeded is the only issue reported.
 */
export function checkDocument(doc: Document.Parsed): YamlIssue[] {
  const facts = walkTree(doc.contents);
  if (facts.tooDeep !== undefined) {
    return [{ offset: nodeStart(facts.tooDeep) ?? 0, message: `nesting is deeper than ${MAX_DEPTH} levels` }];
  }
  if (facts.aliases > MAX_ALIASES) {
    const offset = nodeStart(doc.contents) ?? 0;
    return [{ offset, message: `more than ${MAX_ALIASES} aliases in a document` }];
  }
  return facts.keyIssues.sort((a, b) => a.offset - b.offset);
}

/** Follows an alias to the node it names (an anchor is never on an alias, so one hop is enough). */
function resolve(doc: Document.Parsed, node: unknown): unknown {
  return isAlias(node) ? node.resolve(doc) : node;
}

/** A step down the tree: the node reached and the offset to report for it. */
interface Step {
  /** The node at the segment (undefined for a key without value). */
  node: unknown;
  /** Where the segment is written: the key of a mapping entry, or the list item. */
  offset: number | undefined;
}

/** The mappings merged into `map` through `<<` keys, nearest first. */
function mergedMaps(doc: Document.Parsed, map: YAMLMap): unknown[] {
  const sources: unknown[] = [];
  for (const pair of map.items) {
    if (keyName(pair.key) !== MERGE_KEY) continue;
    const value = resolve(doc, pair.value);
    if (isSeq(value)) sources.push(...value.items.map((item) => resolve(doc, item)));
    else sources.push(value);
  }
  return sources;
}

/** The entry for `key` in `map`, looking into merged mappings when the key is not written in `map` itself. */
function mapStep(doc: Document.Parsed, map: YAMLMap, key: string, hops: number): Step | undefined {
  const pair = map.items.find((item) => keyName(item.key) === key);
  if (pair !== undefined) return { node: pair.value, offset: nodeStart(pair.key) };
  if (hops >= MAX_ALIASES) return undefined;
  for (const source of mergedMaps(doc, map)) {
    const found = isMap(source) ? mapStep(doc, source, key, hops + 1) : undefined;
    if (found !== undefined) return found;
  }
  return undefined;
}

/** One step down from `node` along `segment`, or undefined when the path does not exist there. */
function stepInto(doc: Document.Parsed, node: unknown, segment: PathSegment): Step | undefined {
  const target = resolve(doc, node);
  if (typeof segment === 'number') {
    if (!isSeq(target)) return undefined;
    const item = target.items[segment];
    return item === undefined ? undefined : { node: item, offset: nodeStart(item) };
  }
  return isMap(target) ? mapStep(doc, target, segment, 0) : undefined;
}

/**
 * The offset of the node at `path` below `root`, or of its deepest existing ancestor when the path does not exist
 * (a missing field is reported where its parent is written).
 */
export function offsetOfPath(
  doc: Document.Parsed,
  root: unknown,
  path: readonly PathSegment[],
): number | undefined {
  let node = root;
  let offset = nodeStart(root);
  for (const segment of path) {
    const next = stepInto(doc, node, segment);
    if (next === undefined) break;
    node = next.node;
    offset = next.offset ?? offset;
  }
  return offset;
}

/** The node at `path` below `root` (an alias is returned as written), or undefined when the path does not exist. */
export function nodeAtPath(doc: Document.Parsed, root: unknown, path: readonly PathSegment[]): unknown {
  let node = root;
  for (const segment of path) {
    const next = stepInto(doc, node, segment);
    if (next === undefined) return undefined;
    node = next.node;
  }
  return node;
}
