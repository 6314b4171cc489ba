/// Guided lessons for the training lab: a lesson is a small text file ([LessonParser] reads it;
/// [LessonCatalog] lists the shipped ones, in `dev/pharos/console/lab/lessons/`) with steps, each
/// with the trainer's narration, the lab actions it takes and the observations to expect.
/// [LessonViewModel] runs one on the lab step by step, with Next and Back, and ticks each
/// observation as it happens; [LessonView] shows it beside the lab's controls.
package dev.pharos.console.lab.lesson;
