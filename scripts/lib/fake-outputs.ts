/**
 * What the mock engine answers in update mode for outputs a real provider would compute. Only values the program
 * reads back need to be here; everything else echoes its inputs. Preview mode answers nothing (all unknown).
 */
export function fakeOutputs(_type: string, _name: string, _inputs: Record<string, unknown>): Record<string, unknown> {
    return {};
}

/** Provider functions the program calls, with fixed answers (e.g. availability zones). */
export const fakeInvokes: Record<string, (inputs: Record<string, unknown>) => Record<string, unknown>> = {};
