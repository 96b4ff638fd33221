// The apiserver's static token file (--token-auth-file): one line per user, `token,user,uid,"group1,group2"`.
// Pure; the result holds bearer tokens, so callers keep it secret and feed it to nodes over stdin only.

export interface TokenEntry { token: string; user: string; uid: string; groups: string[] }

/** kubeadm's token shape, which the program generates: 6 + 16 lowercase alphanumerics. */
export const TOKEN_PATTERN = /^[a-z0-9]{6}\.[a-z0-9]{16}$/;

/** random.RandomPassword's settings for a token's 22 characters (lowercase letters and digits only). */
export const TOKEN_RANDOM_CHARACTERS = { length: 22, lower: true, numeric: true, upper: false, special: false } as const;

/** The kubeadm-shaped token from TOKEN_RANDOM_CHARACTERS's 22 characters: the first 6, a dot, the other 16. */
export function tokenFromRandomCharacters(chars: string): string {
    if (!/^[a-z0-9]{22}$/.test(chars)) throw new Error("a static token needs 22 lowercase alphanumeric characters");
    return `${chars.slice(0, 6)}.${chars.slice(6)}`;
}

export function renderTokenCsv(entries: TokenEntry[]): string {
    const users = new Set<string>();
    const uids = new Set<string>();
    const lines = entries.map((e, i) => {
        // Never echo the token itself in an error: name the entry instead.
        if (!TOKEN_PATTERN.test(e.token)) throw new Error(`token of entry ${i} (user ${e.user}) is not in the [a-z0-9]{6}.[a-z0-9]{16} shape`);
        for (const [what, value] of [["user", e.user], ["uid", e.uid], ...e.groups.map(g => ["group", g])] as Array<[string, string]>) {
            if (value === "" || /[",\r\n]/.test(value)) throw new Error(`${what} ${JSON.stringify(value)} of entry ${i} cannot be written to token.csv (empty, comma, quote or newline)`);
        }
        if (users.has(e.user)) throw new Error(`user ${e.user} appears twice in token.csv`);
        if (uids.has(e.uid)) throw new Error(`uid ${e.uid} appears twice in token.csv`);
        users.add(e.user);
        uids.add(e.uid);
        const fields = [e.token, e.user, e.uid];
        if (e.groups.length > 0) fields.push(`"${e.groups.join(",")}"`);
        return fields.join(",");
    });
    return lines.map(l => `${l}\n`).join("");
}
