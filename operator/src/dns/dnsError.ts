/** A DNS exchange that failed: the server's response code, a TSIG error or TIMEOUT. */
export class DnsError extends Error {
  override name = 'DnsError';

  constructor(
    /** 'REFUSED', 'NOTAUTH', 'NXRRSET', 'YXRRSET', 'SERVFAIL', 'TIMEOUT', 'BADSIG', 'BADKEY', 'BADTIME', 'MALFORMED', … */
    readonly rcode: string,
    message: string,
  ) {
    super(message);
  }
}
