import { strict as assert } from "node:assert";
import { deletionProtectionInProd, kmsEncryption, pointInTimeRecovery } from "../../policy/policies/dynamodb";
import { stackFromUrn } from "../../policy/lib/stack";
import { unknown as programUnknown } from "@pulumi/pulumi/output";
import { registryTable } from "./fixtures";
import { runResourcePolicy } from "./harness";

describe("policy: DynamoDB customer registry", () => {
  describe("dynamodb-point-in-time-recovery", () => {
    it("passes a table with PITR enabled", async () => {
      assert.deepEqual(await runResourcePolicy(pointInTimeRecovery, registryTable()), { violations: [] });
    });

    it("flags a table with PITR disabled or absent", async () => {
      const disabled = registryTable();
      disabled.props.pointInTimeRecovery = { enabled: false };
      const absent = registryTable();
      delete absent.props.pointInTimeRecovery;
      for (const table of [disabled, absent]) {
        assert.deepEqual((await runResourcePolicy(pointInTimeRecovery, table)).violations, [
          "DynamoDB table customer-registry: set pointInTimeRecovery.enabled: true",
        ]);
      }
    });

    it("does not apply to other AWS resources", async () => {
      const outcome = await runResourcePolicy(pointInTimeRecovery, { type: "aws:s3/bucket:Bucket", props: {} });
      assert.equal(outcome.notApplicable, "Policy only applies to resources of type 'aws:dynamodb/table:Table'");
    });
  });

  describe("dynamodb-kms-encryption", () => {
    it("passes SSE with a customer-managed KMS key ARN", async () => {
      assert.deepEqual(await runResourcePolicy(kmsEncryption, registryTable()), { violations: [] });
    });

    it("flags SSE disabled", async () => {
      const table = registryTable();
      table.props.serverSideEncryption = { enabled: false };
      assert.deepEqual((await runResourcePolicy(kmsEncryption, table)).violations, [
        "DynamoDB table customer-registry: set serverSideEncryption.enabled: true",
      ]);
    });

    it("flags SSE on the AWS-managed key (no kmsKeyArn)", async () => {
      const table = registryTable();
      table.props.serverSideEncryption = { enabled: true };
      assert.deepEqual((await runResourcePolicy(kmsEncryption, table)).violations, [
        "DynamoDB table customer-registry: set serverSideEncryption.kmsKeyArn to a customer-managed KMS key ARN (without it AWS uses its own managed key)",
      ]);
    });

    it("on a stack configured as local (no KMS exists there), requires SSE on but no key; other stacks still need one", async () => {
      const table = registryTable();
      table.props.serverSideEncryption = { enabled: true };
      const onLocal = { localStacks: ["local"], stack: "local" };
      assert.deepEqual((await runResourcePolicy(kmsEncryption, table, onLocal)).violations, []);
      assert.equal((await runResourcePolicy(kmsEncryption, table, { localStacks: ["local"], stack: "dev" })).violations.length, 1);
      table.props.serverSideEncryption = { enabled: false };
      assert.deepEqual((await runResourcePolicy(kmsEncryption, table, onLocal)).violations, [
        "DynamoDB table customer-registry: set serverSideEncryption.enabled: true",
      ]);
    });

    it("flags a kmsKeyArn that is an alias name, not an ARN", async () => {
      const table = registryTable();
      table.props.serverSideEncryption = { enabled: true, kmsKeyArn: "alias/registry" };
      assert.deepEqual((await runResourcePolicy(kmsEncryption, table)).violations, [
        'DynamoDB table customer-registry: serverSideEncryption.kmsKeyArn "alias/registry" is not an ARN (expected arn:aws:kms:...)',
      ]);
    });

    it("defers to apply when the key ARN is unknown at preview (advisory in the real pack)", async () => {
      const table = registryTable();
      // The program SDK's unknown marker, as runStack({ preview: true }) records it.
      table.props.serverSideEncryption = { enabled: true, kmsKeyArn: programUnknown };
      const outcome = await runResourcePolicy(kmsEncryption, table);
      assert.deepEqual(outcome.violations, []);
      assert.equal(outcome.unknown, "string value at .serverSideEncryption.kmsKeyArn can't be known during preview");
    });
  });

  describe("dynamodb-deletion-protection-prod", () => {
    it("reads the stack from the URN", () => {
      assert.equal(stackFromUrn("urn:pulumi:prod::sas-onboarding::aws:dynamodb/table:Table::customer-registry"), "prod");
      assert.equal(stackFromUrn("not-a-urn"), undefined);
    });

    it("passes a prod table with deletion protection", async () => {
      assert.deepEqual(await runResourcePolicy(deletionProtectionInProd, { ...registryTable(), stack: "prod" }), {
        violations: [],
      });
    });

    it("flags a prod table without deletion protection", async () => {
      const table = registryTable();
      table.props.deletionProtectionEnabled = false;
      assert.deepEqual((await runResourcePolicy(deletionProtectionInProd, { ...table, stack: "prod" })).violations, [
        'DynamoDB table customer-registry: stack "prod" is production; set deletionProtectionEnabled: true',
      ]);
    });

    it("does not require deletion protection outside prod", async () => {
      const table = registryTable();
      delete table.props.deletionProtectionEnabled;
      for (const stack of ["local", "dev", "stage"]) {
        assert.deepEqual((await runResourcePolicy(deletionProtectionInProd, { ...table, stack })).violations, [], stack);
      }
    });

    it("honours the policy config: an explicit stack and extra production stacks", async () => {
      const table = registryTable();
      delete table.props.deletionProtectionEnabled;
      const asProd = await runResourcePolicy(deletionProtectionInProd, { ...table, stack: "dev" }, { stack: "prod" });
      assert.deepEqual(asProd.violations, [
        'DynamoDB table customer-registry: stack "prod" is production; set deletionProtectionEnabled: true',
      ]);
      const euProd = await runResourcePolicy(deletionProtectionInProd, { ...table, stack: "prod-eu" }, { prodStacks: ["prod", "prod-eu"] });
      assert.deepEqual(euProd.violations, [
        'DynamoDB table customer-registry: stack "prod-eu" is production; set deletionProtectionEnabled: true',
      ]);
    });
  });
});
