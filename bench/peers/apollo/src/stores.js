// The stores the gateway reads: PostgreSQL (rows: users, courses, enrollments, progress) and
// MongoDB (documents: course outlines, lessons, quizzes, questions).
import pg from 'pg';
import { MongoClient } from 'mongodb';

export async function openStores(config) {
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: config.databasePoolMax });
  const mongo = new MongoClient(config.mongodbUrl);
  try {
    await Promise.all([pool.query('SELECT 1'), mongo.connect()]);
  } catch (error) {
    await Promise.allSettled([pool.end(), mongo.close()]);
    throw error;
  }
  const db = mongo.db(config.mongodbDatabase);
  return {
    pool,
    db,
    async close() {
      await Promise.allSettled([pool.end(), mongo.close()]);
    },
  };
}

const COURSE_COLUMNS = `c.content_id AS "contentId", c.level, c.tags, c.price_cents AS "priceCents"`;

// A visitor sees published courses only, oldest first.
export async function publishedCourses(pool, limit) {
  const sql = `SELECT ${COURSE_COLUMNS} FROM courses c WHERE c.published ORDER BY c.id LIMIT $1`;
  return (await pool.query(sql, [limit])).rows;
}

export async function publishedCourse(pool, contentId) {
  const sql = `SELECT ${COURSE_COLUMNS} FROM courses c WHERE c.content_id = $1 AND c.published`;
  return (await pool.query(sql, [contentId])).rows[0] ?? null;
}

export async function publishedCourseIds(pool) {
  return (await pool.query('SELECT content_id FROM courses WHERE published')).rows.map((row) => row.content_id);
}

// A user's enrollments in published courses, newest first, each with its course's row.
export async function enrollmentsOf(pool, userId, limit) {
  const sql = `
    SELECT e.status, ${COURSE_COLUMNS}
      FROM enrollments e JOIN courses c ON c.id = e.course_id
     WHERE e.user_id = $1 AND c.published
     ORDER BY e.id DESC
     LIMIT $2`;
  const { rows } = await pool.query(sql, [userId, limit]);
  return rows.map(({ status, ...course }) => ({ status, course }));
}

export async function usersByIds(pool, ids) {
  const sql = `
    SELECT u.id, coalesce(p.display_name, '') AS "displayName"
      FROM users u LEFT JOIN user_profiles p ON p.user_id = u.id
     WHERE u.id = ANY($1::uuid[])`;
  return (await pool.query(sql, [ids])).rows;
}

export async function progressOf(pool, userId, lessonIds) {
  const sql = `
    SELECT lesson_content_id AS "lessonId", position, completed_at IS NOT NULL AS completed
      FROM lesson_progress
     WHERE user_id = $1 AND lesson_content_id = ANY($2::text[])`;
  return (await pool.query(sql, [userId, lessonIds])).rows;
}

// Documents by id with a projection. The batch size is the number of ids, so the server answers
// in one reply instead of a first batch of 101 and getMores.
export async function documentsByIds(db, collection, ids, projection) {
  const size = Math.max(ids.length, 1);
  return db.collection(collection).find({ _id: { $in: ids } }, { projection, batchSize: size }).toArray();
}

// The question bank: questions listed by the open quizzes of published courses, in id order.
export async function visibleQuestions(pool, db, limit) {
  const courseIds = await publishedCourseIds(pool);
  const quizzes = await db
    .collection('quiz_content')
    .find({ course_id: { $in: courseIds }, published: { $ne: false } }, { projection: { question_ids: 1 } })
    .toArray();
  const listed = new Set(quizzes.flatMap((quiz) => quiz.question_ids ?? []));
  const projection = { type: 1, prompt: 1, points: 1, options: 1 };
  const size = Math.max(limit, 1);
  return db
    .collection('questions')
    .find({ _id: { $in: [...listed] } }, { projection, sort: { _id: 1 }, limit, batchSize: size })
    .toArray();
}
