"""Instructors' writes: courses, lessons, quizzes and questions across PostgreSQL and MongoDB."""
