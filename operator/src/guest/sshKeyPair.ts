import ssh2 from 'ssh2';

/**
 * An ed25519 key pair in OpenSSH format. ssh2 (1.17) writes a public key that starts with a zero
 * byte as 31 bytes (about one key in 256): OpenSSH then rejects the private key ("error in
 * libcrypto") and a guest seeded with it has no sshd. Such pairs are drawn again.
 */
export function generateEd25519(comment: string): { private: string; public: string } {
  for (;;) {
    const pair = ssh2.utils.generateKeyPairSync('ed25519', { comment });
    if (ed25519PublicKeyBytes(pair.public) === 32) return pair;
  }
}

/** Length of the key inside an `ssh-ed25519 AAAA… comment` line (32 when well formed). */
export function ed25519PublicKeyBytes(line: string): number {
  const blob = Buffer.from(line.split(' ')[1] ?? '', 'base64');
  if (blob.length < 4) return 0;
  const typeLength = blob.readUInt32BE(0);
  const keyAt = 4 + typeLength;
  return blob.length >= keyAt + 4 ? blob.readUInt32BE(keyAt) : 0;
}
