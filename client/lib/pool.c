/*
 * pool.c: the threads libclaim checks signatures on, for a page of
 * entries (entry.c) and for an export (verify.c) alike.
 *
 * Jobs are taken oldest first. The caller waiting for a job runs queued
 * ones itself meanwhile, so every core works, and a pool whose threads
 * could not be started still gets everything done, on the caller alone.
 */
#include <unistd.h>

#include "internal.h"

enum { JOB_QUEUED = 1, JOB_RUNNING, JOB_DONE };

int
claim_pool_cores(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 1 ? (int)n : 1;
}

/* The oldest queued job, now running; NULL if none. Under p->mu. */
static struct claim_job *
take(struct claim_pool *p)
{
	struct claim_job *j = p->head;

	if (j == NULL)
		return NULL;
	if ((p->head = j->next) == NULL)
		p->tail = NULL;
	j->state = JOB_RUNNING;
	return j;
}

/* Runs j with p->mu released; marks it done. Under p->mu. */
static void
run(struct claim_pool *p, struct claim_job *j)
{
	pthread_mutex_unlock(&p->mu);
	j->fn(j);
	pthread_mutex_lock(&p->mu);
	j->state = JOB_DONE;
	pthread_cond_broadcast(&p->cv);
}

static void *
worker(void *arg)
{
	struct claim_pool *p = arg;
	struct claim_job *j;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->stop && (j = take(p)) == NULL)
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->stop)
			break;
		run(p, j);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

void
claim_pool_start(struct claim_pool *p, int threads)
{
	p->head = p->tail = NULL;
	p->stop = false;
	p->n = 0;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	if (threads > CLAIM_POOL_MAX)
		threads = CLAIM_POOL_MAX;
	while (p->n < threads &&
	    pthread_create(&p->th[p->n], NULL, worker, p) == 0)
		p->n++;
}

void
claim_pool_submit(
    struct claim_pool *p, struct claim_job *j, void (*fn)(struct claim_job *))
{
	j->fn = fn;
	j->next = NULL;
	pthread_mutex_lock(&p->mu);
	j->state = JOB_QUEUED;
	if (p->tail != NULL)
		p->tail->next = j;
	else
		p->head = j;
	p->tail = j;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

void
claim_pool_wait(struct claim_pool *p, struct claim_job *j)
{
	pthread_mutex_lock(&p->mu);
	while (j->state != JOB_DONE) {
		struct claim_job *w = take(p);

		if (w != NULL)
			run(p, w);
		else
			pthread_cond_wait(&p->cv, &p->mu);
	}
	pthread_mutex_unlock(&p->mu);
}

void
claim_pool_stop(struct claim_pool *p)
{
	pthread_mutex_lock(&p->mu);
	p->stop = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	for (int i = 0; i < p->n; i++)
		pthread_join(p->th[i], NULL);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
}
