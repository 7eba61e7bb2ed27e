// Resolvers of bench/peers/schema.graphql. Rows and documents keep their stored values; the enum
// maps below turn stored values ('active', 'single_choice') into the schema's names.
import { GraphQLError } from 'graphql';
import { enrollmentsOf, publishedCourse, publishedCourses, visibleQuestions } from './stores.js';

// The gateway's page limits (DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE; the question bank allows 500).
const DEFAULT_PAGE = 20;
const MAX_PAGE = 100;
const MAX_QUESTION_PAGE = 500;

const QUESTION_TYPES = {
  SINGLE_CHOICE: 'single_choice',
  MULTIPLE_CHOICE: 'multiple_choice',
  TRUE_FALSE: 'true_false',
  SHORT_TEXT: 'short_text',
  NUMERIC: 'numeric',
  ORDERING: 'ordering',
};
// 'single_choice' -> 'SingleChoiceQuestion'
const TYPENAMES = Object.fromEntries(
  Object.values(QUESTION_TYPES).map((stored) => [
    stored,
    `${stored.replace(/(^|_)(\w)/g, (_, __, letter) => letter.toUpperCase())}Question`,
  ]),
);

function pageSize(first, max) {
  const size = first ?? DEFAULT_PAGE;
  if (size < 0 || size > max) {
    throw new GraphQLError(`\`first\` must be between 0 and ${max}`, {
      extensions: { code: 'BAD_USER_INPUT', argument: 'first', max },
    });
  }
  return size;
}

function notFound(what, id) {
  return new GraphQLError(`${what} ${id} not found`, { extensions: { code: 'NOT_FOUND' } });
}

function lessonCount(content) {
  return content.modules?.reduce((total, module) => total + (module.lesson_ids?.length ?? 0), 0) ?? 0;
}

function question(doc) {
  return {
    contentId: doc._id,
    type: doc.type,
    prompt: doc.prompt ?? '',
    points: doc.points ?? 1,
    options: doc.options ?? [],
  };
}

const byTypename = { __resolveType: (q) => TYPENAMES[q.type] };

export const resolvers = {
  EnrollmentStatus: { ACTIVE: 'active', COMPLETED: 'completed', CANCELLED: 'cancelled' },
  CourseLevel: { BEGINNER: 'beginner', INTERMEDIATE: 'intermediate', ADVANCED: 'advanced' },
  QuestionType: QUESTION_TYPES,

  Query: {
    async me(_, __, { viewer, loaders }) {
      if (viewer.userId === null) {
        if (viewer.tokenError) throw new GraphQLError(viewer.tokenError, { extensions: { code: 'UNAUTHENTICATED' } });
        return null;
      }
      return loaders.user.load(viewer.userId);
    },
    async courses(_, { first }, { stores }) {
      return { nodes: await publishedCourses(stores.pool, pageSize(first, MAX_PAGE)) };
    },
    async course(_, { contentId }, { stores }) {
      if (contentId == null) {
        throw new GraphQLError('Give `contentId`', { extensions: { code: 'BAD_USER_INPUT', argument: 'contentId' } });
      }
      const course = await publishedCourse(stores.pool, contentId);
      if (course === null) throw notFound('Course', contentId);
      return course;
    },
    async questions(_, { first }, { stores }) {
      const docs = await visibleQuestions(stores.pool, stores.db, pageSize(first, MAX_QUESTION_PAGE));
      return { nodes: docs.map(question) };
    },
  },

  User: {
    async enrollments(user, { first }, { viewer, stores }) {
      if (user.id !== viewer.userId) {
        throw new GraphQLError('Only the user themself may list their enrollments', {
          extensions: { code: 'FORBIDDEN' },
        });
      }
      return { nodes: await enrollmentsOf(stores.pool, user.id, pageSize(first, MAX_PAGE)) };
    },
  },

  Course: {
    async content(course, _, { loaders }) {
      const content = await loaders.courseContent.load(course.contentId);
      if (content === null) throw notFound('Course content', course.contentId);
      return content;
    },
    async title(course, _, { loaders }) {
      return (await loaders.courseContent.load(course.contentId))?.title ?? null;
    },
    async lessonCount(course, _, { loaders }) {
      const content = await loaders.courseContent.load(course.contentId);
      return content === null ? null : lessonCount(content);
    },
  },

  CourseContent: {
    title: (content) => content.title ?? '',
    modules: (content) => content.modules ?? [],
    lessonCount,
  },

  Module: {
    lessons: (module, _, { loaders }) => loaders.lesson.loadMany(module.lesson_ids ?? []),
  },

  Lesson: {
    contentId: (lesson) => lesson._id,
    title: (lesson) => lesson.title ?? '',
    progress(lesson, _, { viewer, loaders }) {
      return viewer.userId === null ? null : loaders.progress.load(lesson._id);
    },
  },

  Question: byTypename,
};
