// The one way tests run the program: under the shared mock engine (tests/harness/mock-engine.ts), after the mocks
// are set, with a stack's real Pulumi.<stack>.yaml.
export { runStack, PROJECT_ROOT, type StackRun, type RunStackOptions } from "../harness/run-stack";
export type { RecordedResource } from "../harness/mock-engine";
export { STACKS, type StackName } from "../harness/stack-config";
export { kubernetesObjects, type K8sObject } from "../harness/manifests";
