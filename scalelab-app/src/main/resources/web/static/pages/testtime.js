// The Test-time & reliability page: the nines planner (the reliability analysis run on the server with the
// numbers typed in) and the lab's saved test-time and reliability results (pass@k, coverage, the sampling
// budget crossover, majority vote, reliability tables), each drawn by the renderer the command line uses.
'use strict';
ScaleLab.ready(async () => {
  const form = document.getElementById('planner-form');
  const answer = document.getElementById('planner-answer');
  const mode = () => form.querySelector('input[name=mode]:checked').value;
  for (const radio of form.querySelectorAll('input[name=mode]')) {
    radio.addEventListener('change', () => {
      document.getElementById('planner-p-label').hidden = mode() !== 'p';
      document.getElementById('planner-target-label').hidden = mode() !== 'target';
    });
  }

  async function plan() {
    const q = new URLSearchParams();
    const field = mode();
    q.set(field, document.getElementById('planner-' + field).value);
    q.set('steps', document.getElementById('planner-steps').value);
    q.set('rho', document.getElementById('planner-rho').value);
    answer.replaceChildren();
    try {
      const a = await ScaleLab.api('/api/testtime/reliability?' + q);
      answer.dataset.analysis = a.analysis;
      if (a.view) {
        ScaleLab.report(answer, a.view);
      }
    } catch (e) {
      ScaleLab.showError(e, answer);
    }
  }
  form.addEventListener('submit', e => { e.preventDefault(); plan(); });
  await plan();

  await SavedResults.show(document.getElementById('saved'), {
    prefixes: ['testtime.', 'reliability.'],
    label: 'Test-time or reliability result',
    empty: 'No test-time or reliability results yet: run scalelab testtime (passk, coverage, budget, majority) '
      + 'or scalelab reliability, for example:',
    commands: [
      'scalelab testtime coverage --data counts.csv --target 0.9',
      'scalelab testtime budget --model 8B,2.1,0.42,1.6e13 --model 70B,1.2,0.35,1.4e14 --budgets 1e14:1e18:41',
      'scalelab reliability --p 0.99,0.999,0.9999 --steps 10,100,1000'],
  });
});
