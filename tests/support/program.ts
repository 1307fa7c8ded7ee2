// The one way tests run the program: under the shared mock engine (scripts/lib/mock-engine.ts), after the mocks
// are set, with a stack's real Pulumi.<stack>.yaml.
export { runStack, PROJECT_ROOT, type StackRun, type RunStackOptions } from "../../scripts/lib/run-stack";
export type { RecordedResource } from "../../scripts/lib/mock-engine";
export { STACKS, type StackName } from "../../scripts/lib/stack-config";
export { kubernetesObjects, type K8sObject } from "../../scripts/lib/manifests";
