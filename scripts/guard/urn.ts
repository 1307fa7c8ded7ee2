/** A Pulumi URN: urn:pulumi:<stack>::<project>::<parent types $ ... $ type>::<name>. */
export interface ParsedUrn {
  stack: string;
  project: string;
  /** Parent types first, the resource's own type last. */
  typeChain: string[];
  type: string;
  name: string;
}

const PREFIX = "urn:pulumi:";

/** Parses a URN, or returns undefined if `urn` does not have the URN shape. */
export function parseUrn(urn: string): ParsedUrn | undefined {
  if (!urn.startsWith(PREFIX)) {
    return undefined;
  }
  const parts = urn.slice(PREFIX.length).split("::");
  if (parts.length < 4) {
    return undefined;
  }
  const [stack, project, types] = parts;
  // Names may themselves contain "::"; everything after the type segment is the name.
  const name = parts.slice(3).join("::");
  const typeChain = types.split("$");
  const type = typeChain[typeChain.length - 1];
  if (stack === "" || project === "" || type === "" || name === "") {
    return undefined;
  }
  return { stack, project, typeChain, type, name };
}
