// Per-request DataLoaders: each batches the loads of one tick into one query and caches for the
// request only, so nothing leaks between viewers.
import DataLoader from 'dataloader';
import { documentsByIds, progressOf, usersByIds } from './stores.js';

// What any resolver reads of a course outline: its title, and each module's title and lessons.
const OUTLINE = { title: 1, 'modules.title': 1, 'modules.lesson_ids': 1 };
const LESSON = { title: 1 };

// The values in the order of `keys`, null where there is none.
function inOrder(keys, items, keyOf) {
  const byKey = new Map(items.map((item) => [keyOf(item), item]));
  return keys.map((key) => byKey.get(key) ?? null);
}

function documents(db, collection, projection) {
  return new DataLoader(async (ids) => inOrder(ids, await documentsByIds(db, collection, ids, projection), (d) => d._id));
}

export function createLoaders({ pool, db }, viewer) {
  return {
    user: new DataLoader(async (ids) => inOrder(ids, await usersByIds(pool, ids), (row) => row.id)),
    courseContent: documents(db, 'course_content', OUTLINE),
    lesson: documents(db, 'lesson_content', LESSON),
    // The viewer's progress by lesson content id (only a signed-in viewer has any).
    progress: new DataLoader(async (lessonIds) =>
      inOrder(lessonIds, await progressOf(pool, viewer.userId, lessonIds), (row) => row.lessonId),
    ),
  };
}
