// The voting booth's page: a little JavaScript around the tabella library compiled to
// WebAssembly (./pkg, built by booth/build.sh). The module does every check and every piece of
// cryptography; this file only fetches, posts and shows.

import init, { Booth } from './pkg/tabella_booth.js';

const $ = (id) => document.getElementById(id);
let booth = null;
let summary = null;

// ---- what the voter sees -------------------------------------------------------------------

function status(text) {
  $('status').textContent = text;
}

function alertVoter(text) {
  const alert = $('alert');
  alert.textContent = text;
  alert.hidden = false;
}

function clearAlert() {
  const alert = $('alert');
  alert.textContent = '';
  alert.hidden = true;
}

function show(id, visible) {
  $(id).hidden = !visible;
}

// ---- the board server ----------------------------------------------------------------------

// A failure to reach the server at all (no answer): the request may or may not have arrived.
class Unreachable extends Error {}

// A definite answer of the server that is not a success: `status`, and its JSON body.
class Refused extends Error {
  constructor(status, body) {
    super(describeRefusal(status, body));
    this.status = status;
    this.body = body;
  }
}

function describeRefusal(status, body) {
  const message = body && body.message ? body.message : `HTTP ${status}`;
  if (body && body.check) {
    return `${message} (check ${body.check}: ${body.name})`;
  }
  return message;
}

async function request(path, options) {
  let response;
  try {
    response = await fetch(path, { cache: 'no-store', ...options });
  } catch (e) {
    throw new Unreachable(`the board server cannot be reached (${e.message})`);
  }
  const text = await response.text();
  if (!response.ok) {
    let body = null;
    try { body = JSON.parse(text); } catch (_) { /* not JSON: the status says enough */ }
    throw new Refused(response.status, body);
  }
  return text;
}

async function post(path, bytes) {
  const text = await request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream' },
    body: bytes,
  });
  return JSON.parse(text);
}

// Reads the board from where the booth's copy ends up to the server's head, page by page; the
// module replays and checks every entry.
async function sync() {
  for (;;) {
    const from = JSON.parse(booth.summary()).entries;
    const page = await request(`/api/entries?from=${from}`);
    const read = JSON.parse(booth.readPage(page));
    if (read.entries >= read.total) break;
  }
  summary = JSON.parse(booth.summary());
  $('board-state').textContent =
    `${summary.entries} entries read and checked by this booth; head ${summary.head.slice(0, 16)}…`;
  const round = summary.round;
  $('round-line').textContent = round
    ? `Round ${round.number} is open: ${round.ballots} ${round.ballots === 1 ? 'ballot' : 'ballots'} cast so far.`
    : 'No round is open for voting.';
}

// ---- rendering the election ----------------------------------------------------------------

function renderElection() {
  $('title').textContent = summary.title || 'Voting booth';
  $('fingerprint').textContent = summary.fingerprint || 'no keys yet';
  const round = summary.round;
  if (!round) {
    $('rule').textContent = '—';
    show('credential-step', false);
    show('choice-step', false);
    return;
  }
  $('rule').textContent = round.rule;
  $('question').textContent = round.question;
  const options = $('options');
  options.replaceChildren();
  const add = (value, label) => {
    const row = document.createElement('div');
    const input = document.createElement('input');
    input.type = 'radio';
    input.name = 'choice';
    input.id = `choice-${value < 0 ? 'abstain' : value}`;
    input.value = String(value);
    const text = document.createElement('label');
    text.htmlFor = input.id;
    text.textContent = label;
    row.append(input, text);
    options.append(row);
  };
  round.options.forEach((label, j) => add(j, label));
  if (round.abstention) add(-1, 'Abstain');
  show('credential-step', round.roll);
  show('choice-step', true);
}

// ---- the steps -----------------------------------------------------------------------------

// Loads a credential from its code or its file's text; the module checks it against the roll.
function loadCredential(text) {
  clearAlert();
  try {
    const loaded = JSON.parse(booth.loadCredential(text));
    $('credential-state').textContent =
      `Credential loaded (public credential ${loaded.credential.slice(0, 16)}…).`;
    status('Credential loaded: make your choice.');
  } catch (e) {
    alertVoter(e.message);
  }
}

function pastedCredential() {
  const field = $('credential-code');
  loadCredential(field.value);
  field.value = '';
}

async function credentialFile(event) {
  const file = event.target.files && event.target.files[0];
  if (!file) return;
  const text = await file.text();
  event.target.value = '';
  loadCredential(text);
}

async function encrypt(event) {
  event.preventDefault();
  clearAlert();
  const chosen = document.querySelector('input[name="choice"]:checked');
  if (!chosen) {
    alertVoter('Choose a candidate, or abstain, before you encrypt.');
    return;
  }
  try {
    status('Reading the board…');
    await sync();
    renderElectionKeepingChoice(chosen.value);
    status('Encrypting…');
    const started = performance.now();
    const ballot = JSON.parse(booth.encrypt(Number(chosen.value)));
    const millis = performance.now() - started;
    const hash = $('ballot-hash');
    hash.textContent = ballot.short;
    hash.title = ballot.hash;
    hash.dataset.full = ballot.hash;
    hash.dataset.encryptMs = millis.toFixed(1);
    show('ballot-step', true);
    show('challenge-result', false);
    show('cast-result', false);
    $('challenge').disabled = false;
    status(`Ballot encrypted for round ${ballot.round} (${ballot.bytes} bytes, ${millis.toFixed(0)} ms). Cast or challenge it.`);
  } catch (e) {
    alertVoter(e instanceof Unreachable ? `${e.message}: nothing was encrypted; try again.` : e.message);
    status('');
  }
}

// Redrawing the options after a sync must not lose the voter's choice.
function renderElectionKeepingChoice(value) {
  renderElection();
  const again = document.querySelector(`input[name="choice"][value="${value}"]`);
  if (again) again.checked = true;
}

async function challenge() {
  clearAlert();
  try {
    const opened = JSON.parse(booth.challenge());
    const labels = summary.round.options;
    const holds = opened.chosen.length === 0
      ? 'an abstention'
      : `a vote for ${opened.chosen.map((j) => labels[j]).join(', ')}`;
    $('opening-verdict').textContent =
      `The opening verifies: ballot ${opened.short} holds ${holds}.`;
    $('opening').textContent = opened.opening;
    show('challenge-result', true);
    status('Publishing the challenged ballot…');
    const answer = await post('/api/challenged', booth.challengedBytes());
    await sync();
    const confirmed = JSON.parse(booth.confirmChallenge(answer.code));
    $('challenge-code').textContent = confirmed.short;
    show('ballot-step', false);
    status('The challenged ballot is on the board and will never be counted. Start over to vote.');
  } catch (e) {
    if (e instanceof Refused && e.status < 500 && e.status !== 408 && e.status !== 429) {
      booth.abandon();
    }
    alertVoter(e instanceof Unreachable
      ? `${e.message}: the challenge was not published; press Challenge again.`
      : e.message);
  }
}

async function cast() {
  clearAlert();
  try {
    const bytes = booth.cast();
    $('challenge').disabled = true;
    status('Casting…');
    const answer = await post('/api/ballot', bytes);
    status('Checking the confirmation code against the board…');
    await sync();
    const confirmed = JSON.parse(booth.confirm(answer.code));
    $('confirmation-code').textContent = confirmed.short;
    $('confirmation-code').dataset.full = confirmed.code;
    $('inclusion').textContent =
      `This booth read the board and checked that this code is the code of your ballot ` +
      `(round ${confirmed.round}, board entry ${confirmed.entry}).`;
    show('ballot-step', false);
    show('choice-step', false);
    show('credential-step', false);
    show('cast-result', true);
    status('Your ballot is cast.');
  } catch (e) {
    // A definite refusal (4xx, but for a timeout or a rate limit) ends this ballot; anything
    // else may be retried with the very same bytes.
    const definite = e instanceof Refused && e.status < 500 && e.status !== 408 && e.status !== 429;
    if (definite) {
      booth.abandon();
      show('ballot-step', false);
      alertVoter(`The board refused the ballot: ${e.message}`);
    } else if (e instanceof Unreachable || e instanceof Refused) {
      alertVoter(`${e.message}. Your ballot may not be cast: press Cast again to send the ` +
        'same ballot (it is never counted twice).');
    } else {
      alertVoter(e.message);
    }
    status('');
  }
}

function startOver() {
  clearAlert();
  show('challenge-result', false);
  show('ballot-step', false);
  renderElection();
  status('Make your choice again.');
}

// ---- start ---------------------------------------------------------------------------------

async function start() {
  $('load-credential').addEventListener('click', pastedCredential);
  $('credential-file').addEventListener('change', credentialFile);
  $('choice-form').addEventListener('submit', encrypt);
  $('challenge').addEventListener('click', challenge);
  $('cast').addEventListener('click', cast);
  $('start-over').addEventListener('click', startOver);
  try {
    await init();
    booth = new Booth();
    status('Reading and checking the board…');
    await sync();
    renderElection();
    status(summary.round ? 'Ready.' : 'No round is open.');
    document.body.dataset.ready = 'true';
  } catch (e) {
    alertVoter(`The booth cannot start: ${e.message}`);
    status('');
  }
}

start();
