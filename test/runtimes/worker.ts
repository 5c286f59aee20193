/** Cloudflare Worker entry of the runtime check: POST the scenario input, get the report. */
import { runScenario, type ScenarioInput } from './scenario.js';

export default {
  async fetch(request: Request): Promise<Response> {
    try {
      return Response.json(await runScenario((await request.json()) as ScenarioInput, 'workerd'));
    } catch (error) {
      return Response.json({ error: String(error), stack: (error as Error).stack }, { status: 500 });
    }
  },
};
