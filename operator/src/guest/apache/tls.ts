// Whether Apache can load a certificate and key. `apachectl configtest` does not load them: mod_ssl
// reads them only when the server (re)starts, and a pair it cannot load then stops Apache on the
// graceful reload. So the pair is checked here, before anything is sent to a server, as OpenSSL
// on a Debian 12 guest (security level 2) would check it.
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import type { SiteTls } from './model.js';

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[^-]*-----END CERTIFICATE-----/g;
const MIN_RSA_BITS = 2048;
/** Signatures security level 2 refuses (a self-signed certificate's own signature is not checked). */
const WEAK_SIGNATURE = /md2|md4|md5|sha1With|sha1$|dsaWithSHA1|ecdsa-with-SHA1/i;

/** Why Apache could not use the pair, in words that name no key material; undefined when it can. */
export function tlsProblem(tls: SiteTls): string | undefined {
  if (/PRIVATE KEY/.test(tls.certificate))
    return 'the certificate (tls.crt) holds a private key; it is readable by everyone on the server';
  const blocks = tls.certificate.match(CERTIFICATE_BLOCK) ?? [];
  if (blocks.length === 0) return 'the certificate (tls.crt) holds no PEM certificate';
  const chain: X509Certificate[] = [];
  for (const [index, block] of blocks.entries()) {
    try {
      chain.push(new X509Certificate(block));
    } catch {
      return `certificate ${index + 1} of tls.crt cannot be read`;
    }
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: tls.privateKey, format: 'pem' });
  } catch {
    return 'the private key (tls.key) is not an unencrypted PEM private key';
  }
  if (!(chain[0] as X509Certificate).checkPrivateKey(key))
    return 'the private key (tls.key) does not belong to the first certificate of tls.crt';
  for (const [index, certificate] of chain.entries()) {
    const problem = weakness(certificate);
    if (problem) return `certificate ${index + 1} of tls.crt ${problem}; OpenSSL on the server refuses it`;
  }
  return undefined;
}

function weakness(certificate: X509Certificate): string | undefined {
  const { asymmetricKeyType, asymmetricKeyDetails } = certificate.publicKey;
  const bits = asymmetricKeyDetails?.modulusLength;
  if (
    (asymmetricKeyType === 'rsa' || asymmetricKeyType === 'dsa') &&
    bits !== undefined &&
    bits < MIN_RSA_BITS
  )
    return `has a ${bits}-bit ${asymmetricKeyType.toUpperCase()} key`;
  const selfSigned = certificate.verify(certificate.publicKey);
  if (!selfSigned && WEAK_SIGNATURE.test(certificate.signatureAlgorithm ?? ''))
    return `is signed with ${certificate.signatureAlgorithm}`;
  return undefined;
}
