// Parses GNU time's `-v` report: the whole child process's CPU and peak RSS, as the kernel saw them (getrusage of
// the child), independent of anything the child reports about itself.

export interface TimeReport {
    userS: number;
    systemS: number;
    wallS: number;
    maxRssKiB: number;
    exitStatus: number;
}

/** "1:02.03" or "0:00:04.50" (h:mm:ss or m:ss) → seconds. */
export function parseElapsed(text: string): number {
    return text
        .trim()
        .split(":")
        .map(Number)
        .reduce((acc, part) => acc * 60 + part, 0);
}

export function parseTimeV(text: string): TimeReport {
    const field = (label: string): string => {
        const line = text.split("\n").find((l) => l.trim().startsWith(label));
        if (line === undefined) throw new Error(`/usr/bin/time -v output has no "${label}" line:\n${text}`);
        return line.slice(line.lastIndexOf(": ") + 2).trim();
    };
    return {
        userS: Number(field("User time (seconds)")),
        systemS: Number(field("System time (seconds)")),
        wallS: parseElapsed(field("Elapsed (wall clock) time")),
        maxRssKiB: Number(field("Maximum resident set size (kbytes)")),
        exitStatus: Number(field("Exit status")),
    };
}
