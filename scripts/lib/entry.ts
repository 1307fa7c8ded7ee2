/** What a tool's main reads and writes: injected, so tests run it in-process with captured output. */
export interface ToolIo {
    stdout: (text: string) => void;
    stderr: (text: string) => void;
    env: NodeJS.ProcessEnv;
}

/**
 * Runs a tool's main as a command: the process's own streams and environment, its exit code from what main returns,
 * and an unexpected error reported with the tool's name (exit 1) instead of an unhandled rejection.
 */
export function runAsCommand(name: string, main: (argv: readonly string[], io: ToolIo) => Promise<number>): void {
    main(process.argv.slice(2), { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t), env: process.env }).then(
        (code) => {
            process.exitCode = code;
        },
        (err: unknown) => {
            process.stderr.write(`${name}: unexpected error: ${err instanceof Error ? err.stack : String(err)}\n`);
            process.exitCode = 1;
        },
    );
}
