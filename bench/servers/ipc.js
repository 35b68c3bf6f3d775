// The control channel of a benchmark server child: tells the parent it is listening, answers
// `stats` with CPU time and memory, and exits when the parent goes away.
export function serveControl(port, extra = {}) {
  if (!process.send) {
    console.log(`listening on http://127.0.0.1:${port}/`);
    return;
  }
  process.on('message', (m) => {
    if (m === 'stats') process.send({ cpu: process.cpuUsage(), memory: process.memoryUsage() });
  });
  process.on('disconnect', () => process.exit(0));
  process.send({ ready: true, port, ...extra });
}

export function argValue(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

// Exit normally on a signal, so `node --cpu-prof bench/servers/...` writes its profile.
for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => process.exit(0));
