package dev.pharos.console.lab.lesson;

import java.util.List;

/// One guided lesson, as its file says it.
///
/// @param file  the lesson's file name (`graceful-failover.lesson`)
/// @param title what the lesson list shows
/// @param about one or two sentences on what the class will see
/// @param lab   the configuration files the lab runs, beside the lesson (one per director, named
///              after it); empty for the seed's pair
/// @param steps in order
public record Lesson(String file, String title, String about, List<String> lab, List<Step> steps) {

    public Lesson {
        lab = List.copyOf(lab);
        steps = List.copyOf(steps);
    }

    /// The step whose moment the documentation pictures: the one marked `picture: yes`, else the last.
    public int keyStep() {
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).picture()) {
                return i;
            }
        }
        return steps.size() - 1;
    }

    /// One step: what the trainer says, what the lab does, and what the class should see.
    ///
    /// @param line    where the step starts in its file
    /// @param picture whether this is the lesson's key moment (the documentation's screenshot)
    public record Step(String title, String narration, List<Action> actions, List<Observation> observations,
            boolean picture, int line) {

        public Step {
            actions = List.copyOf(actions);
            observations = List.copyOf(observations);
        }
    }
}
