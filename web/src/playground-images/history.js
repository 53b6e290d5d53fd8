// The local history: one IndexedDB record per request, with the image bytes
// as Blobs, the prompt, the settings and the time. Nothing leaves the browser.
const DB = 'aiohub-playground';
const STORE = 'results';

let opening = null;
function db() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const req = indexedDB.open(DB, 1);
      req.onupgradeneeded = () => {
        const store = req.result.createObjectStore(STORE, { keyPath: 'id' });
        store.createIndex('created', 'created');
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => { opening = null; reject(req.error); };
    });
  }
  return opening;
}

async function tx(mode, fn) {
  const d = await db();
  return new Promise((resolve, reject) => {
    const t = d.transaction(STORE, mode);
    const req = fn(t.objectStore(STORE));
    t.oncomplete = () => resolve(req.result);
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error);
  });
}

const newId = () => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

// record: { mode, prompt, settings, images: [Blob], usage, sources? }
export async function addEntry(record) {
  const entry = { id: newId(), created: Date.now(), ...record };
  await tx('readwrite', (s) => s.put(entry));
  return entry;
}

// Newest first.
export async function listEntries() {
  const all = await tx('readonly', (s) => s.getAll());
  return (all ?? []).sort((a, b) => b.created - a.created);
}

export const deleteEntry = (id) => tx('readwrite', (s) => s.delete(id));
export const clearEntries = () => tx('readwrite', (s) => s.clear());
