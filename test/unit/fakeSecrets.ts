// Fake credentials for the tests that prove a secret is withheld, masked or kept secret. They need only the shape
// of a PEM block; built at run time, the sources hold no private-key header for a secret scanner to flag.

const DASHES = "-".repeat(5);

/** A PEM block of the given label ("OPENSSH PRIVATE KEY") around a body that is no key. */
export function fakePem(label: string, body = "ZmFrZQ"): string {
    return `${DASHES}BEGIN ${label}${DASHES}\n${body}\n${DASHES}END ${label}${DASHES}\n`;
}
