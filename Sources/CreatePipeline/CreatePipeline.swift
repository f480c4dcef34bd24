// The create pipeline.
