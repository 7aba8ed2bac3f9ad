/**
 * Optimizers, learning-rate schedules and gradient clipping, with PyTorch 1.13's algorithms and
 * vocabulary: {@link kiln.nn.optim.SGD}, {@link kiln.nn.optim.Adam}, {@link kiln.nn.optim.AdamW},
 * {@link kiln.nn.optim.RMSprop}, {@link kiln.nn.optim.Adagrad}; {@link kiln.nn.optim.StepLR},
 * {@link kiln.nn.optim.MultiStepLR}, {@link kiln.nn.optim.ExponentialLR},
 * {@link kiln.nn.optim.CosineAnnealingLR}, {@link kiln.nn.optim.WarmupCosineLR},
 * {@link kiln.nn.optim.OneCycleLR}, {@link kiln.nn.optim.ReduceLROnPlateau};
 * {@link kiln.nn.optim.GradClip}.
 *
 * <p>Each optimizer takes its parameters and either a learning rate or an {@code Options} record,
 * whose {@code options()} factory gives PyTorch's defaults and whose withers change one value each:
 * <pre>{@code
 * var adam = new Adam(model.parameters(), Adam.options().lr(0.01).weightDecay(1e-4).amsgrad(true));
 * var schedule = new WarmupCosineLR(adam, 0.1, 500, 10_000, 0.0);
 * }</pre>
 * Arguments are checked when the optimizer or scheduler is made; a message names the class, the
 * argument and the bad value.
 */
package kiln.nn.optim;
