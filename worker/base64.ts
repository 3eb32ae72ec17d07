// Base64 for the bytes the Worker makes: random ids (base64url, RFC 4648 §5, unpadded, so they
// sit in URLs as they are) and TURN REST credentials (standard base64, as coturn computes them).

export function base64(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

export function base64url(bytes: Uint8Array): string {
  return base64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
