// REST login/register (services/http-api, /api/v1/auth): the access token is what the game handshake takes.
export interface Session {
  accessToken: string;
  refreshToken: string;
  user: { id: string; username: string };
}

export async function authenticate(kind: 'login' | 'register', username: string, password: string): Promise<Session> {
  const response = await fetch(`/api/v1/auth/${kind}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  const body = (await response.json().catch(() => ({}))) as Partial<Session> & { message?: string; error?: string };
  if (!response.ok || !body.accessToken) throw new Error(body.message ?? body.error ?? `${kind} failed (${response.status})`);
  return body as Session;
}
