export * from "./types";
export { analyze, defaultSeverity, diagnosticCodes, networkNameOf } from "./analyze";
export { catalog, layerKind, layerNames, inputDoc, type LayerKind, type ArgSpec } from "./layers";
export { optionDocs, type OptionName } from "./options";
export * from "./format";
export { usesOf, type Uses } from "./uses";
