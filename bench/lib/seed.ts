export async function seedDatabase(_options: { size: string; databaseUrl: string; log: (line: string) => void }): Promise<Record<string, unknown>> {
  return {};
}
